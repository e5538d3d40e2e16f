import {
  Alert,
  Button,
  Code,
  EmptyState,
  Group,
  Paper,
  Select,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../../components/confirm-dialog';
import { CopyTextButton } from '../../../components/copy-text-button';
import { QueryError } from '../../../components/query-error';
import { errorMessage } from '../../../lib/errors';
import { formatDateTime, formatRelativeTime } from '../../../lib/format';
import { useCreateToken } from '../api/create-token';
import { useApiTokens } from '../api/list-tokens';
import { useRevokeToken } from '../api/revoke-token';

const EXPIRY_CHOICES = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '180', label: '180 days' },
  { value: '365', label: '1 year' },
];

interface TokenRow {
  id: string;
  name: string;
  createdAt: string;
  expiresAt?: string | null;
  lastUsedAt?: string | null;
  revokedAt?: string | null;
}

function tokenState(token: TokenRow, now: number): 'active' | 'expired' | 'revoked' {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return 'expired';
  return 'active';
}

/** The curl line shown with a new secret: the smallest thing that proves the token works. */
export function curlExample(origin: string, secret: string): string {
  return [
    `curl -s ${origin}/graphql \\`,
    `  -H 'Authorization: Bearer ${secret}' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '{"query":"{ me { email role } }"}'`,
  ].join('\n');
}

/** Personal API tokens: create (the secret is shown once), list, revoke. */
export function ApiTokens() {
  const tokens = useApiTokens();
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [attempted, setAttempted] = useState(false);
  const [toRevoke, setToRevoke] = useState<TokenRow | null>(null);
  const [now] = useState(() => Date.now());

  const nameError = attempted && name.trim() === '' ? 'Give the token a name, e.g. the script or machine that uses it.' : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAttempted(true);
    if (name.trim() === '') return;
    create.mutate(
      { name: name.trim(), expiresInDays: Number(days) },
      {
        onSuccess: () => {
          setName('');
          setAttempted(false);
        },
      },
    );
  };

  const created = create.data;
  const origin = window.location.origin;

  return (
    <Stack gap="lg">
      <Paper withBorder radius="md" p={{ base: 'sm', sm: 'lg' }} component="section" aria-labelledby="new-token-heading">
        <Title order={2} size="h4" id="new-token-heading" mb="xs">
          New API token
        </Title>
        <Text size="sm" c="dimmed" mb="md">
          Scripts and tools use a token to call the GraphQL API as you. Treat it like a password.
        </Text>
        <form onSubmit={submit} noValidate aria-label="Create an API token">
          <Group align="flex-start" gap="sm">
            <TextInput
              label="Name"
              placeholder="e.g. pipeline on lofar-node-3"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={nameError}
              withAsterisk
              maxLength={100}
              w={{ base: '100%', xs: 300 }}
            />
            <Select
              label="Expires after"
              data={EXPIRY_CHOICES}
              value={days}
              onChange={(value) => value && setDays(value)}
              allowDeselect={false}
              w={{ base: '100%', xs: 160 }}
            />
            <Button type="submit" loading={create.isPending} mt={{ base: 0, xs: 25 }}>
              Create token
            </Button>
          </Group>
        </form>
        {create.isError && (
          <Alert color="red" role="alert" mt="md">
            <Text size="sm">{errorMessage(create.error, { BAD_USER_INPUT: 'The name or the expiry is not accepted.' })}</Text>
          </Alert>
        )}
      </Paper>

      {created && (
        <Alert color="teal" title={`Token “${created.token.name}” created`} role="status" withCloseButton onClose={() => create.reset()} closeButtonLabel="Hide the secret">
          <Stack gap="sm">
            <Text size="sm" fw={500}>
              Copy the secret now: it is shown only this once and cannot be recovered.
            </Text>
            <Group gap="xs" wrap="nowrap" align="center">
              <Code block style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} data-testid="token-secret">
                {created.secret}
              </Code>
              <CopyTextButton value={created.secret} label="Copy secret" withLabel />
            </Group>
            <Text size="sm">Try it:</Text>
            <Group gap="xs" wrap="nowrap" align="flex-start">
              <Code block style={{ flex: 1, overflowX: 'auto' }}>
                {curlExample(origin, created.secret)}
              </Code>
              <CopyTextButton value={curlExample(origin, created.secret)} label="Copy the curl example" />
            </Group>
          </Stack>
        </Alert>
      )}

      <Paper withBorder radius="md" p={{ base: 'sm', sm: 'lg' }} component="section" aria-labelledby="tokens-heading">
        <Title order={2} size="h4" id="tokens-heading" mb="sm">
          Your tokens
        </Title>
        {tokens.isPending ? (
          <Stack gap="xs" aria-busy="true">
            <VisuallyHidden role="status">Loading tokens…</VisuallyHidden>
            {[0, 1].map((i) => (
              <Skeleton key={i} height={28} aria-hidden="true" />
            ))}
          </Stack>
        ) : tokens.isError ? (
          <QueryError title="Tokens could not be loaded" error={tokens.error} onRetry={() => void tokens.refetch()} retrying={tokens.isRefetching} />
        ) : tokens.data.length === 0 ? (
          <EmptyState size="sm" title="No tokens yet" description="Create one above when a script needs to call Stagecoach." py="md" />
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table verticalSpacing="sm" aria-label="API tokens">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Expires</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tokens.data.map((token) => {
                  const state = tokenState(token, now);
                  return (
                    <Table.Tr key={token.id} c={state === 'active' ? undefined : 'dimmed'}>
                      <Table.Td fw={500}>{token.name}</Table.Td>
                      <Table.Td title={formatDateTime(token.createdAt)}>{formatRelativeTime(token.createdAt)}</Table.Td>
                      <Table.Td>
                        {state === 'revoked'
                          ? `Revoked ${formatRelativeTime(token.revokedAt)}`
                          : token.expiresAt
                            ? `${state === 'expired' ? 'Expired' : 'Expires'} ${formatRelativeTime(token.expiresAt)}`
                            : 'Never'}
                      </Table.Td>
                      <Table.Td>{token.lastUsedAt ? formatRelativeTime(token.lastUsedAt) : 'Never'}</Table.Td>
                      <Table.Td ta="right">
                        {state === 'active' && (
                          <Button size="compact-sm" color="red" variant="subtle" onClick={() => setToRevoke(token)} aria-label={`Revoke ${token.name}`}>
                            Revoke
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
      </Paper>

      <ConfirmDialog
        opened={toRevoke !== null}
        onClose={() => {
          setToRevoke(null);
          revoke.reset();
        }}
        onConfirm={() => toRevoke && revoke.mutate(toRevoke.id, { onSuccess: () => setToRevoke(null) })}
        title={`Revoke “${toRevoke?.name ?? ''}”?`}
        confirmLabel="Revoke token"
        loading={revoke.isPending}
        error={revoke.error}
      >
        Anything using this token stops working at once. This cannot be undone.
      </ConfirmDialog>
    </Stack>
  );
}
