import { Anchor, Badge, Button, Menu, Skeleton, Text, VisuallyHidden } from '@mantine/core';
import { errorMessage } from '../../../lib/errors';
import { useMe } from '../api/get-me';
import { useSignOut } from '../api/sign-out';

// A full page load, not a client-side route: the server runs the OIDC redirect dance.
export const SIGN_IN_PATH = '/auth/login';

/** Header widget: who is signed in (and whether approved), or a sign-in link. */
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
  const pending = me.status === 'PENDING';
  return (
    <Menu position="bottom-end" width={240} withinPortal>
      <Menu.Target>
        <Button variant="subtle" size="compact-sm" maw={{ base: 120, sm: 240 }} aria-label={`Account menu for ${displayName}`}>
          <Text span size="sm" fw={500} truncate="end">
            {displayName}
          </Text>
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{me.email}</Menu.Label>
        {me.status !== 'ACTIVE' && (
          <Menu.Label>
            <Badge color={pending ? 'yellow' : 'red'} variant="light">
              {pending ? 'Awaiting approval' : me.status.toLowerCase()}
            </Badge>
          </Menu.Label>
        )}
        <Menu.Divider />
        <Menu.Item onClick={() => signOut.mutate()} disabled={signOut.isPending} closeMenuOnClick={false}>
          {signOut.isPending ? 'Signing out…' : 'Sign out'}
        </Menu.Item>
        {signOut.isError && (
          <Text role="alert" size="xs" c="red" px="sm" pb="xs">
            {errorMessage(signOut.error)}
          </Text>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}
