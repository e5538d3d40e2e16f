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

describe('mutation rate limit (RATE_LIMIT_MUTATIONS, RATE_LIMIT_MUTATION_BURST)', () => {
  // One token a second, five at once; the server's clock only moves when a test moves it.
  const env = { RATE_LIMIT_MUTATIONS: '60', RATE_LIMIT_MUTATION_BURST: '5' };
  const createTokens = (n: number, name = 'x') => `mutation { ${Array.from({ length: n }, (_, i) => `t${i}: createApiToken(name: "${name}", expiresInDays: 1) { secret }`).join(' ')} }`;

  async function server() {
    let now = Date.now();
    const s = await startTestServer(db.orm, env, { clock: { now: () => new Date(now) } });
    const post = async (token: string, query: string) => {
      const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
      const h = (name: string) => res.headers.get(name);
      return { status: res.status, body: (await res.json()) as GqlResult<unknown>, limit: h('ratelimit-limit'), remaining: h('ratelimit-remaining'), reset: h('ratelimit-reset'), retryAfter: h('retry-after') };
    };
    const tokenCount = async (token: string) => ((await s.gql<{ apiTokens: unknown[] }>('{ apiTokens { id } }', {}, token)).data?.apiTokens ?? []).length;
    return { s, post, tokenCount, advance: (ms: number) => void (now += ms) };
  }

  it('lets a burst through, then answers RATE_LIMITED (429, Retry-After, retryAfter) per user, over HTTP and WebSocket', async () => {
    const { s, post, advance } = await server();
    const eve = await userWithToken(db.orm, { email: 'eve@example.org' });
    const frank = await userWithToken(db.orm, { email: 'frank@example.org' });
    // Queries take nothing but report the budget.
    expect(await post(eve.token, '{ apiTokens { id } }')).toMatchObject({ status: 200, limit: '5', remaining: '5', reset: '0', retryAfter: null });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await post(eve.token, createTokens(1)));
    expect(answers.map((a) => [a.status, a.limit, a.remaining, a.reset])).toEqual([
      [200, '5', '4', '1'],
      [200, '5', '3', '2'],
      [200, '5', '2', '3'],
      [200, '5', '1', '4'],
      [200, '5', '0', '5'],
    ]);
    const limited = await post(eve.token, createTokens(1));
    expect(limited).toMatchObject({ status: 429, limit: '5', remaining: '0', reset: '5', retryAfter: '1' });
    expect(limited.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 1, retryAfterSeconds: 1 });
    expect((await overSocket(s, createTokens(1, 'ws'), eve.token)).errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 1, retryAfterSeconds: 1 });
    // Queries are not limited, and another user has their own budget.
    expect((await post(eve.token, '{ apiTokens { id } }')).status).toBe(200);
    expect(await post(frank.token, createTokens(1))).toMatchObject({ status: 200, remaining: '4' });
    // Two seconds later two tokens are back.
    advance(2000);
    expect((await post(eve.token, createTokens(2))).status).toBe(200);
    expect((await post(eve.token, createTokens(1))).status).toBe(429);
  });

  it('charges each mutation field: an operation takes all its tokens or is refused whole', async () => {
    const { s, post, tokenCount } = await server();
    const gina = await userWithToken(db.orm, { email: 'gina@example.org' });
    const before = await tokenCount(gina.token);
    // More fields than a full bucket holds can never pass: refused outright, nothing taken.
    const tooBig = await post(gina.token, createTokens(6));
    expect(tooBig).toMatchObject({ status: 400, remaining: '5' });
    expect(tooBig.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await overSocket(s, createTokens(6), gina.token)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await tokenCount(gina.token)).toBe(before);
    // Three fields cost three tokens; the next three find only two and are refused together.
    expect(await post(gina.token, createTokens(3))).toMatchObject({ status: 200, remaining: '2' });
    const refused = await post(gina.token, createTokens(3));
    expect(refused).toMatchObject({ status: 429, remaining: '2', retryAfter: '1' });
    expect(refused.body.errors?.[0]?.extensions?.retryAfter).toBe(1);
    expect((await overSocket(s, createTokens(3, 'ws'), gina.token)).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(await tokenCount(gina.token)).toBe(before + 3);
    expect(await post(gina.token, createTokens(2))).toMatchObject({ status: 200, remaining: '0' });
  });
});
