import { createClient } from 'graphql-ws';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, userWithToken, type GqlResult, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

function overSocket(server: TestServer, query: string, token?: string): Promise<GqlResult<unknown>> {
  const client = createClient({ url: server.url.replace('http', 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: token ? { authorization: `Bearer ${token}` } : {}, retryAttempts: 0 });
  return new Promise((resolve, reject) => {
    let result: GqlResult<unknown> = {};
    client.subscribe(
      { query },
      {
        next: (r) => (result = r as GqlResult<unknown>),
        error: (e) => {
          void client.dispose();
          if (Array.isArray(e)) resolve({ errors: e });
          else reject(e instanceof Error ? e : new Error(String(e)));
        },
        complete: () => {
          void client.dispose();
          resolve(result);
        },
      },
    );
  });
}

const INTROSPECT = '{ __schema { queryType { name } } }';

describe('GRAPHQL_INTROSPECTION', () => {
  it('refuses introspection over HTTP and WebSocket when false', async () => {
    const closed = await startTestServer(db.orm, { GRAPHQL_INTROSPECTION: 'false' });
    expect((await closed.gql(INTROSPECT)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await overSocket(closed, INTROSPECT)).errors?.[0]?.message).toMatch(/introspection/i);
    // Ordinary operations are unaffected.
    expect((await closed.gql('{ stagingMethods { method } }')).errors).toBeUndefined();
  });

  it('answers introspection when true', async () => {
    const open = await startTestServer(db.orm, { GRAPHQL_INTROSPECTION: 'true' });
    expect((await open.gql(INTROSPECT)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    expect((await overSocket(open, INTROSPECT)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

describe('mutation rate limit (RATE_LIMIT_MUTATIONS)', () => {
  it('answers RATE_LIMITED (HTTP 429) once a user exceeds it, per user, over HTTP and WebSocket', async () => {
    const strict = await startTestServer(db.orm, { RATE_LIMIT_MUTATIONS: '3' });
    const eve = await userWithToken(db.orm, { email: 'eve@example.org' });
    const frank = await userWithToken(db.orm, { email: 'frank@example.org' });
    const mutate = (token: string) =>
      fetch(`${strict.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: 'mutation { createApiToken(name: "x", expiresInDays: 1) { secret } }' }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await mutate(eve.token)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = (await (await mutate(eve.token)).json()) as GqlResult<unknown>;
    expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect((await overSocket(strict, 'mutation { createApiToken(name: "ws", expiresInDays: 1) { secret } }', eve.token)).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    // Queries are not limited, and another user has their own budget.
    expect((await strict.gql('{ apiTokens { id } }', {}, eve.token)).errors).toBeUndefined();
    expect((await mutate(frank.token)).status).toBe(200);
  });
});
