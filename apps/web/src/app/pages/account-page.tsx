import { Page } from '../../components/page';
import { ProfileCard } from '../../features/session/components/profile-card';
import { ApiTokens } from '../../features/tokens/components/api-tokens';

export function AccountPage() {
  return (
    <Page title="Account" description="Your profile and the API tokens your scripts use.">
      <ProfileCard />
      <ApiTokens />
    </Page>
  );
}
