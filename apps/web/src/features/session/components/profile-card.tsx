import { Paper, Skeleton, Table, Title, VisuallyHidden } from '@mantine/core';
import { QueryError } from '../../../components/query-error';
import { StatusBadge } from '../../../components/status-badge';
import { formatDateTime } from '../../../lib/format';
import { useMe } from '../api/get-me';

/** Who you are to Stagecoach: name, email, user-area name, role and account status. */
export function ProfileCard() {
  const { data: me, isPending, isError, error, refetch, isRefetching } = useMe();
  return (
    <Paper withBorder radius="md" p={{ base: 'sm', sm: 'lg' }} component="section" aria-labelledby="profile-heading">
      <Title order={2} size="h4" id="profile-heading" mb="sm">
        Profile
      </Title>
      {isPending ? (
        <div aria-busy="true">
          <VisuallyHidden role="status">Loading your profile…</VisuallyHidden>
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} height={16} mb="sm" width={`${60 - i * 10}%`} aria-hidden="true" />
          ))}
        </div>
      ) : isError ? (
        <QueryError title="Your profile could not be loaded" error={error} onRetry={() => void refetch()} retrying={isRefetching} />
      ) : me ? (
        <Table variant="vertical" layout="fixed" withRowBorders={false} verticalSpacing={6}>
          <Table.Tbody>
            <Table.Tr>
              <Table.Th w={150}>Name</Table.Th>
              <Table.Td>{me.name?.trim() || '—'}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Email</Table.Th>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{me.email}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>User area</Table.Th>
              <Table.Td>{me.username}/</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Role</Table.Th>
              <Table.Td>
                <StatusBadge status={me.role} />
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Account</Table.Th>
              <Table.Td>
                <StatusBadge status={me.status} />
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Member since</Table.Th>
              <Table.Td>{formatDateTime(me.createdAt)}</Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      ) : null}
    </Paper>
  );
}
