import { createClient } from 'graphql-ws';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '../test/db';
import { startTestServer, userWithToken, type TestServer } from '../test/app';
import { ApiToken } from './modules/tokens/api-token.entity';

let db: TestDatabase;
let server: TestServer;
let ada: { id: string; email: string; token: string };

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm, { ALLOWED_METHODS: 'LOCAL_COPY,DIRECT_DOWNLOAD' });
  ada = await userWithToken(db.orm, { email: 'ada@example.org', role: 'ADMIN' });
});

/** Runs one operation over graphql-ws and resolves with its single result. */
function overWebSocket(query: string, authorization?: string) {
  const client = createClient({
    url: server.url.replace('http', 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : {},
    retryAttempts: 0,
  });
  return new Promise<{ data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] }>((resolve, reject) => {
    let result: unknown;
    client.subscribe(
      { query },
      {
        next: (r) => (result = r),
        error: (e) => {
          void client.dispose();
          if (Array.isArray(e)) resolve({ errors: e });
          else reject(e);
        },
        complete: () => {
          void client.dispose();
          resolve(result as never);
        },
      },
    );
  });
}

describe('GraphQL over HTTP', () => {
  it('answers stagingMethods anonymously, limited to ALLOWED_METHODS', async () => {
    const res = await server.gql<{ stagingMethods: { method: string; label: string; description: string }[] }>(
      '{ stagingMethods { method label description } }',
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.stagingMethods.map((m) => m.method)).toEqual(['LOCAL_COPY', 'DIRECT_DOWNLOAD']);
    expect(res.data!.stagingMethods[0]!.description.length).toBeGreaterThan(10);
  });

  it('answers me = null for anonymous callers', async () => {
    expect((await server.gql('{ me { email } }')).data).toEqual({ me: null });
  });

  it('answers me for a valid bearer token and records its use', async () => {
    const res = await server.gql('{ me { email role status username } }', undefined, ada.token);
    expect(res.data).toEqual({ me: { email: 'ada@example.org', role: 'ADMIN', status: 'ACTIVE', username: 'ada' } });
    const token = await db.orm.em.fork().findOneOrFail(ApiToken, { user: ada.id });
    expect(token.lastUsedAt).toBeInstanceOf(Date);
  });

  it.each([
    ['an unknown token', 'sc_unknown'],
    ['a malformed header', ''],
  ])('rejects %s with UNAUTHENTICATED', async (_label, token) => {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: token ? `Bearer ${token}` : 'Basic abc' },
      body: JSON.stringify({ query: '{ me { email } }' }),
    });
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    expect(res.status).toBe(401);
  });

  it('rejects expired and revoked tokens', async () => {
    const em = db.orm.em.fork();
    const bob = await userWithToken(db.orm, { email: 'bob@example.org' });
    const carol = await userWithToken(db.orm, { email: 'carol@example.org' });
    await em.nativeUpdate(ApiToken, { user: bob.id }, { expiresAt: new Date(Date.now() - 1000) });
    await em.nativeUpdate(ApiToken, { user: carol.id }, { revokedAt: new Date() });
    for (const t of [bob.token, carol.token]) {
      expect((await server.gql('{ me { email } }', undefined, t)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('reports malformed queries as BAD_USER_INPUT without a stack trace', async () => {
    const res = await server.gql('{ me { nope } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(res)).not.toMatch(/stacktrace|at .*\.ts:/);
  });

  it('refuses queries with too many aliases (graphql-armor limits)', async () => {
    const few = '{ ' + Array.from({ length: 5 }, (_, i) => `a${i}: stagingMethods { method }`).join(' ') + ' }';
    expect((await server.gql(few)).errors).toBeUndefined();
    const aliases = '{ ' + Array.from({ length: 40 }, (_, i) => `a${i}: stagingMethods { method }`).join(' ') + ' }';
    expect((await server.gql(aliases)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a subscription sent over HTTP with BAD_USER_INPUT naming the WebSocket, instead of running it as a query', async () => {
    // A client that picks its transport from a stale parse (GraphiQL right after an edit) posts it here.
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ada.token}` },
      body: JSON.stringify({
        query: 'subscription { stagingRequestUpdated(id: "00000000-0000-0000-0000-000000000000") { id } }',
      }),
    });
    const body = (await res.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/WebSocket/);
  });

  it('refuses simple cross-site requests (CSRF prevention)', async () => {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"query":"{ me { email } }"}',
    });
    expect(res.status).toBe(400);
  });

  it('lets an active user manage their own API tokens', async () => {
    const created = await server.gql<{ createApiToken: { secret: string; token: { id: string; name: string } } }>(
      'mutation { createApiToken(name: "laptop", expiresInDays: 7) { secret token { id name expiresAt } } }',
      undefined,
      ada.token,
    );
    const { secret, token } = created.data!.createApiToken;
    expect(secret).toMatch(/^sc_/);
    expect((await server.gql<{ me: { email: string } }>('{ me { email } }', undefined, secret)).data!.me.email).toBe(ada.email);
    const other = await userWithToken(db.orm, { email: 'dave@example.org' });
    const foreign = await server.gql(`mutation { revokeApiToken(id: "${token.id}") { id } }`, undefined, other.token);
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await server.gql(`mutation { revokeApiToken(id: "${token.id}") { revokedAt } }`, undefined, ada.token);
    expect((await server.gql('{ me { email } }', undefined, secret)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers USER_NOT_APPROVED to pending users and UNAUTHENTICATED to anonymous ones', async () => {
    const pending = await userWithToken(db.orm, { email: 'erin@example.org', status: 'PENDING' });
    expect((await server.gql('{ apiTokens { id } }', undefined, pending.token)).errors?.[0]?.extensions?.code).toBe(
      'USER_NOT_APPROVED',
    );
    expect((await server.gql('{ apiTokens { id } }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // `me` stays readable so a pending user can see their own status.
    expect((await server.gql('{ me { status } }', undefined, pending.token)).data).toEqual({ me: { status: 'PENDING' } });
  });
});

describe('GraphQL over WebSocket', () => {
  it('answers me with the token from connectionParams', async () => {
    const res = await overWebSocket('{ me { email role } }', `Bearer ${ada.token}`);
    expect(res.data).toEqual({ me: { email: 'ada@example.org', role: 'ADMIN' } });
  });

  it('answers UNAUTHENTICATED for a bad token', async () => {
    const res = await overWebSocket('{ me { email } }', 'Bearer sc_nope');
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers me = null without a token', async () => {
    expect((await overWebSocket('{ me { email } }')).data).toEqual({ me: null });
  });
});

describe('HTTP routes', () => {
  it('serves /healthz and /readyz', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('exposes Prometheus metrics including HTTP durations', async () => {
    await fetch(`${server.url}/healthz`);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('stagecoach_http_request_duration_seconds_bucket');
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('sends security headers', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});
