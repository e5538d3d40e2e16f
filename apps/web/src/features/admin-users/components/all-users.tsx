import {
  Alert,
  Badge,
  Button,
  EmptyState,
  Group,
  Paper,
  SegmentedControl,
  Select,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { USER_STATUSES } from '@stagecoach/domain';
import { useState } from 'react';
import { ConfirmDialog } from '../../../components/confirm-dialog';
import { QueryError } from '../../../components/query-error';
import { StatusBadge, statusLabel } from '../../../components/status-badge';
import type { AdminUserFieldsFragment, Role, UserStatus } from '../../../gql/graphql';
import { errorMessage } from '../../../lib/errors';
import { formatDateTime, formatRelativeTime } from '../../../lib/format';
import { useSetUserEnabled, useSetUserRole } from '../api/decide-user';
import { useUsers } from '../api/list-users';

type Pending =
  | { kind: 'role'; user: AdminUserFieldsFragment; role: Role }
  | { kind: 'enabled'; user: AdminUserFieldsFragment; enabled: boolean };

/** Every account with its role and status; admins change roles and disable or re-enable accounts. */
export function AllUsers({ currentUserId }: { currentUserId?: string }) {
  const [status, setStatus] = useState<UserStatus | 'ALL'>('ALL');
  const users = useUsers(status === 'ALL' ? null : status);
  const setRole = useSetUserRole();
  const setEnabled = useSetUserEnabled();
  const [pending, setPending] = useState<Pending | null>(null);
  const mutation = pending?.kind === 'role' ? setRole : setEnabled;

  const close = () => {
    setPending(null);
    setRole.reset();
    setEnabled.reset();
  };
  const confirm = () => {
    if (!pending) return;
    if (pending.kind === 'role') setRole.mutate({ id: pending.user.id, role: pending.role }, { onSuccess: close });
    else setEnabled.mutate({ id: pending.user.id, enabled: pending.enabled }, { onSuccess: close });
  };

  return (
    <Paper withBorder radius="md" p={{ base: 'sm', sm: 'lg' }} component="section" aria-labelledby="all-users-heading">
      <Group justify="space-between" mb="sm" gap="sm">
        <Title order={2} size="h4" id="all-users-heading">
          All users
        </Title>
        <SegmentedControl
          size="xs"
          aria-label="Filter by account status"
          value={status}
          onChange={(value) => setStatus(value as UserStatus | 'ALL')}
          data={[{ value: 'ALL', label: 'All' }, ...USER_STATUSES.map((s) => ({ value: s, label: statusLabel(s) }))]}
        />
      </Group>
      {users.isPending ? (
        <Stack gap="xs" aria-busy="true">
          <VisuallyHidden role="status">Loading users…</VisuallyHidden>
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} height={32} aria-hidden="true" />
          ))}
        </Stack>
      ) : users.isError ? (
        <QueryError title="Users could not be loaded" error={users.error} onRetry={() => void users.refetch()} retrying={users.isRefetching} />
      ) : users.data.length === 0 ? (
        <EmptyState size="sm" title="No user has this status" py="md" />
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing="sm" highlightOnHover aria-label="Users">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User</Table.Th>
                <Table.Th>Area</Table.Th>
                <Table.Th w={150}>Role</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Joined</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data.map((user) => {
                const self = user.id === currentUserId;
                return (
                  <Table.Tr key={user.id}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {user.email}
                        {self && (
                          <Badge ml={6} size="xs" variant="outline">
                            you
                          </Badge>
                        )}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {user.name?.trim() || '—'}
                        {!user.emailVerified && ' · email not verified'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{user.username}/</Text>
                    </Table.Td>
                    <Table.Td>
                      <Select
                        size="xs"
                        aria-label={`Role of ${user.email}`}
                        data={[
                          { value: 'USER', label: 'User' },
                          { value: 'ADMIN', label: 'Administrator' },
                        ]}
                        value={user.role}
                        allowDeselect={false}
                        onChange={(value) => value && value !== user.role && setPending({ kind: 'role', user, role: value as Role })}
                      />
                    </Table.Td>
                    <Table.Td>
                      <StatusBadge status={user.status} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" title={formatDateTime(user.createdAt)}>
                        {formatRelativeTime(user.createdAt)}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right">
                      {user.status === 'ACTIVE' && !self && (
                        <Button size="compact-sm" variant="subtle" color="red" onClick={() => setPending({ kind: 'enabled', user, enabled: false })} aria-label={`Disable ${user.email}`}>
                          Disable
                        </Button>
                      )}
                      {user.status === 'DISABLED' && (
                        <Button size="compact-sm" variant="subtle" onClick={() => setPending({ kind: 'enabled', user, enabled: true })} aria-label={`Enable ${user.email}`}>
                          Enable
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      <ConfirmDialog
        opened={pending !== null}
        onClose={close}
        onConfirm={confirm}
        title={
          pending?.kind === 'role'
            ? `Make ${pending.user.email} ${pending.role === 'ADMIN' ? 'an administrator' : 'a regular user'}?`
            : pending?.enabled
              ? `Enable ${pending?.user.email ?? ''}?`
              : `Disable ${pending?.user.email ?? ''}?`
        }
        confirmLabel={pending?.kind === 'role' ? 'Change role' : pending?.enabled ? 'Enable' : 'Disable'}
        cancelLabel="Cancel"
        color={pending?.kind === 'enabled' && !pending.enabled ? 'red' : 'blue'}
        loading={mutation.isPending}
        error={mutation.error}
        errorOverrides={{
          BAD_USER_INPUT:
            pending?.kind === 'role'
              ? 'The last active administrator cannot be made a regular user; make someone else an administrator first.'
              : 'You cannot disable your own account.',
        }}
      >
        {pending?.kind === 'role'
          ? pending.role === 'ADMIN'
            ? 'Administrators approve accounts, see every request and the whole log, and edit email templates.'
            : 'They keep their requests but lose access to the administration pages.'
          : pending?.enabled
            ? 'They can sign in and stage again.'
            : 'Their sessions and API tokens stop working at once. Their requests are kept.'}
      </ConfirmDialog>
      {(setRole.isError || setEnabled.isError) && !pending && (
        <Alert color="red" role="alert" mt="sm">
          {errorMessage(setRole.error ?? setEnabled.error)}
        </Alert>
      )}
    </Paper>
  );
}
