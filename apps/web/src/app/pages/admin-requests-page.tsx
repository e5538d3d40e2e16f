import { Page } from '../../components/page';
import { RequestsList } from '../../features/requests/components/requests-list';

export function AdminRequestsPage() {
  return (
    <Page title="All requests" description="Every user's staging requests, newest first.">
      <RequestsList scope="all" />
    </Page>
  );
}
