import { Alert, Button, Skeleton, Stack, Text, VisuallyHidden } from '@mantine/core';
import type { ReactNode } from 'react';
import { Outlet } from 'react-router';
import { Page } from '../components/page';
import { QueryError } from '../components/query-error';
import { useMe } from '../features/session/api/get-me';
import { SIGN_IN_PATH } from '../features/session/components/current-user';

/**
 * Shows the routed page only to signed-in, approved users; everyone else learns what to do next
 * (sign in, wait for approval). The server enforces the same on every operation: this is guidance.
 */
export function RequireActiveUser({ children }: { children?: ReactNode }) {
  const me = useMe();
  if (me.isPending) return <GuardSkeleton />;
  if (me.isError) {
    return (
      <Page title="Something went wrong">
        <QueryError title="Your account could not be checked" error={me.error} onRetry={() => void me.refetch()} retrying={me.isRefetching} />
      </Page>
    );
  }
  const user = me.data;
  if (!user) {
    return (
      <Page title="Sign in" heading="Sign in to continue" description="Stagecoach needs to know who you are before it stages data for you.">
        <div>
          <Button component="a" href={SIGN_IN_PATH} size="md">
            Sign in with your institute account
          </Button>
        </div>
      </Page>
    );
  }
  if (user.status === 'PENDING') {
    return (
      <Page title="Waiting for approval">
        <Alert color="yellow" title="Your account is waiting for approval">
          <Text size="sm">
            An administrator has been told about your sign-up. You will get an email at {user.email} as soon as they have
            decided.
          </Text>
        </Alert>
      </Page>
    );
  }
  if (user.status !== 'ACTIVE') {
    return (
      <Page title="Account not active">
        <Alert color="red" title={user.status === 'REJECTED' ? 'Your account request was declined' : 'Your account is disabled'}>
          <Text size="sm">Please contact the administrators of this service if you think this is a mistake.</Text>
        </Alert>
      </Page>
    );
  }
  return children ?? <Outlet />;
}

/** Administrators only (inside RequireActiveUser). */
export function RequireAdmin() {
  const me = useMe();
  if (me.isPending) return <GuardSkeleton />;
  if (me.data?.role !== 'ADMIN') {
    return (
      <Page title="Administrators only">
        <Alert color="yellow">
          <Text size="sm">This page is for administrators of this service.</Text>
        </Alert>
      </Page>
    );
  }
  return <Outlet />;
}

function GuardSkeleton() {
  return (
    <Stack gap="md" aria-busy="true">
      <VisuallyHidden role="status">Loading…</VisuallyHidden>
      <Skeleton height={34} width="40%" aria-hidden="true" />
      <Skeleton height={14} width="70%" aria-hidden="true" />
      <Skeleton height={180} aria-hidden="true" />
    </Stack>
  );
}
