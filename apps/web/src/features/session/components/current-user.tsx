import { Anchor, Badge, Button, Group, Skeleton, Text, VisuallyHidden } from '@mantine/core';
import { errorMessage } from '../../../lib/errors';
import { useMe } from '../api/get-me';
import { useSignOut } from '../api/sign-out';

// A full page load, not a client-side route: the server runs the OIDC redirect dance.
export const SIGN_IN_PATH = '/auth/login';

/** Header widget: who is signed in (and whether approved) with sign-out, or a sign-in link. */
export function CurrentUser() {
  const { data: me, isPending, isError } = useMe();
  const signOut = useSignOut();

  if (isPending) {
    return (
      <div role="status">
        <Skeleton height={24} width={96} radius="sm" />
        <VisuallyHidden>Loading your account…</VisuallyHidden>
      </div>
    );
  }

  if (isError || !me) {
    return (
      <Anchor href={SIGN_IN_PATH} fw={500} size="sm">
        Sign in
      </Anchor>
    );
  }

  const displayName = me.name?.trim() || me.username;
  return (
    <Group gap="xs" wrap="nowrap" miw={0}>
      {me.status === 'PENDING' && (
        <Badge color="yellow" visibleFrom="sm">
          Awaiting approval
        </Badge>
      )}
      {/* On phones the name would crowd out the controls; the Account page shows it. */}
      <Text size="sm" fw={500} truncate="end" maw={220} visibleFrom="sm" title={me.email}>
        <VisuallyHidden>Signed in as </VisuallyHidden>
        {displayName}
      </Text>
      <Button size="compact-sm" variant="default" onClick={() => signOut.mutate()} loading={signOut.isPending}>
        Sign out
      </Button>
      {signOut.isError && (
        <VisuallyHidden role="alert">{errorMessage(signOut.error)}</VisuallyHidden>
      )}
    </Group>
  );
}
