import { Page } from '../../components/page';
import { AllUsers } from '../../features/admin-users/components/all-users';
import { PendingUsers } from '../../features/admin-users/components/pending-users';
import { useMe } from '../../features/session/api/get-me';

export function AdminUsersPage() {
  const { data: me } = useMe();
  return (
    <Page title="Users" description="Approve or reject new accounts, and manage roles and access.">
      <PendingUsers />
      <AllUsers currentUserId={me?.id} />
    </Page>
  );
}
