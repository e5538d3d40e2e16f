import { Alert, Badge, Button, EmptyState, Group, Paper, Skeleton, Stack, Text, Textarea, Title, VisuallyHidden } from '@mantine/core';
import { useId, useState } from 'react';
import { ConfirmDialog } from '../../../components/confirm-dialog';
import { QueryError } from '../../../components/query-error';
import type { AdminUserFieldsFragment } from '../../../gql/graphql';
import { errorMessage } from '../../../lib/errors';
import { formatDateTime, formatRelativeTime } from '../../../lib/format';
import { useApproveUser, useRejectUser } from '../api/decide-user';
import { useUsers } from '../api/list-users';
import classes from './admin-users.module.css';

const MAX_REASON = 2000;

/**
 * People who signed in and wait for a decision. Approve activates the account; Reject asks for an
 * optional reason. Either way the server emails the person.
 */
export function PendingUsers() {
  // New sign-ups arrive without anyone here doing anything: look again now and then.
  const pending = useUsers('PENDING', { refetchInterval: 30_000 });
  const approve = useApproveUser();
  const reject = useRejectUser();
  const [rejecting, setRejecting] = useState<AdminUserFieldsFragment | null>(null);
  const [reason, setReason] = useState('');
  const [notice, setNotice] = useState<string | null>(null);

  const closeReject = () => {
    setRejecting(null);
    setReason('');
    reject.reset();
  };

  return (
    <Paper withBorder radius="md" p={{ base: 'sm', sm: 'lg' }} component="section" aria-labelledby="pending-heading">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="pending-heading">
          Waiting for approval
        </Title>
        {pending.data && pending.data.length > 0 && (
          <Badge color="yellow" variant="light" size="lg">
            {pending.data.length}
          </Badge>
        )}
      </Group>
      <VisuallyHidden role="status">{notice ?? ''}</VisuallyHidden>
      {notice && (
        <Alert color="teal" mb="sm" withCloseButton onClose={() => setNotice(null)} closeButtonLabel="Dismiss">
          <Text size="sm">{notice}</Text>
        </Alert>
      )}
      {approve.isError && (
        <Alert color="red" role="alert" mb="sm" withCloseButton onClose={() => approve.reset()} closeButtonLabel="Dismiss">
          <Text size="sm">{errorMessage(approve.error)}</Text>
        </Alert>
      )}
      {pending.isPending ? (
        <Stack gap="sm" aria-busy="true">
          <VisuallyHidden role="status">Loading pending users…</VisuallyHidden>
          {[0, 1].map((i) => (
            <Skeleton key={i} height={64} aria-hidden="true" />
          ))}
        </Stack>
      ) : pending.isError ? (
        <QueryError title="Pending users could not be loaded" error={pending.error} onRetry={() => void pending.refetch()} retrying={pending.isRefetching} />
      ) : pending.data.length === 0 ? (
        <EmptyState size="sm" title="Nobody is waiting" description="New sign-ups appear here; administrators also get an email." py="md" />
      ) : (
        <ul className={classes.cards}>
          {pending.data.map((user) => (
            <PendingUserCard
              key={user.id}
              user={user}
              approving={approve.isPending && approve.variables === user.id}
              onApprove={() =>
                approve.mutate(user.id, { onSuccess: (u) => setNotice(`${u.email} is approved and has been emailed.`) })
              }
              onReject={() => setRejecting(user)}
            />
          ))}
        </ul>
      )}

      <ConfirmDialog
        opened={rejecting !== null}
        onClose={closeReject}
        onConfirm={() =>
          rejecting &&
          reject.mutate(
            { id: rejecting.id, reason: reason.trim() || null },
            {
              onSuccess: (u) => {
                setNotice(`${u.email} is rejected and has been emailed.`);
                closeReject();
              },
            },
          )
        }
        title={`Reject ${rejecting?.email ?? ''}?`}
        confirmLabel="Reject"
        cancelLabel="Cancel"
        loading={reject.isPending}
        error={reject.error}
      >
        <Stack gap="sm">
          <Text size="sm">They will not be able to use Stagecoach. The email they receive quotes your reason.</Text>
          <Textarea
            label="Reason (optional)"
            placeholder="e.g. Please sign in with your institute account instead."
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            maxLength={MAX_REASON}
            autosize
            minRows={3}
            description={`${reason.length} / ${MAX_REASON}`}
          />
        </Stack>
      </ConfirmDialog>
    </Paper>
  );
}

function PendingUserCard({
  user,
  approving,
  onApprove,
  onReject,
}: {
  user: AdminUserFieldsFragment;
  approving: boolean;
  onApprove: () => void;
  onReject: () => void;
}) {
  const id = useId();
  return (
    <li aria-labelledby={`${id}-email`} className={classes.card}>
      <Group justify="space-between" gap="sm" align="flex-start">
        <Stack gap={2} miw={0}>
          <Text fw={600} id={`${id}-email`} className={classes.email}>
            {user.email}
          </Text>
          <Text size="sm" c="dimmed">
            {user.name?.trim() || 'No name given'} · area {user.username}/ ·{' '}
            <span title={formatDateTime(user.createdAt)}>signed up {formatRelativeTime(user.createdAt)}</span>
          </Text>
          <div>
            {user.emailVerified ? (
              <Badge color="teal" variant="light" size="sm">
                Email verified
              </Badge>
            ) : (
              <Badge color="orange" variant="light" size="sm">
                Email not verified by the identity provider
              </Badge>
            )}
          </div>
        </Stack>
        <Group gap="xs">
          <Button size="sm" onClick={onApprove} loading={approving}>
            Approve
          </Button>
          <Button size="sm" color="red" variant="light" onClick={onReject}>
            Reject
          </Button>
        </Group>
      </Group>
    </li>
  );
}
