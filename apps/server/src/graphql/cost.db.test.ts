import fs from 'node:fs/promises';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '../../test/db';
import { startTestServer, userWithToken, type GqlResult, type TestServer } from '../../test/app';

let db: TestDatabase;
let server: TestServer;
let ada: { id: string; token: string };
let requestId: string;

const FILE_FIELDS = 'id source target status checksum sizeBytes attempts downloadUrl error { code message }';
const literal = (first: number) => `query($id: ID!) { stagingRequest(id: $id) { id status files(first: ${first}) { nodes { ${FILE_FIELDS} } } } }`;
const asVariable = `query($id: ID!, $n: Int) { stagingRequest(id: $id) { id status files(first: $n) { nodes { ${FILE_FIELDS} } } } }`;
const STAGE = `mutation($input: StageInput!) { stage(input: $input) { id status files(first: 100) { nodes { ${FILE_FIELDS} } } } }`;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm);
  ada = await userWithToken(db.orm, { email: 'ada@example.org' });
  const archive = path.join(server.dataDir, 'sites', 'archive', 'set');
  await fs.mkdir(archive, { recursive: true });
  for (const name of ['a.txt', 'b.txt', 'c.txt']) await fs.writeFile(path.join(archive, name), name);
  const staged = await server.gql<{ stage: { id: string } }>(STAGE, { input: { method: 'LOCAL_COPY', items: [{ source: 'set' }] } }, ada.token);
  expect(staged.errors).toBeUndefined();
  requestId = staged.data!.stage.id;
});

/** Runs one operation over graphql-ws and resolves with its single result (or its errors). */
function overWebSocket(query: string, variables: Record<string, unknown>, token?: string): Promise<GqlResult<unknown>> {
  const client = createClient({
    url: server.url.replace('http', 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
  });
  return new Promise((resolve, reject) => {
    let result: GqlResult<unknown> = {};
    client.subscribe(
      { query, variables },
      {
        next: (r) => (result = r as GqlResult<unknown>),
        error: (e) => {
          void client.dispose();
          if (Array.isArray(e)) resolve({ errors: e });
          else reject(e);
        },
        complete: () => {
          void client.dispose();
          resolve(result);
        },
      },
    );
  });
}

const transports: [string, (query: string, variables: Record<string, unknown>, token?: string) => Promise<GqlResult<unknown>>][] = [
  ['HTTP', (query, variables, token) => server.gql(query, variables, token)],
  ['WebSocket', overWebSocket],
];

describe.each(transports)('query cost over %s', (_transport, run) => {
  it.each([100, 500, 1000])('serves the files page asked for explicitly: first %i, literal and as a variable', async (n) => {
    for (const [query, variables] of [
      [literal(n), { id: requestId }],
      [asVariable, { id: requestId, n }],
    ] as const) {
      const res = (await run(query, variables, ada.token)) as GqlResult<{ stagingRequest: { files: { nodes: { source: string }[] } } }>;
      expect(res.errors).toBeUndefined();
      expect(res.data!.stagingRequest.files.nodes.map((f) => f.source)).toEqual(['set/a.txt', 'set/b.txt', 'set/c.txt']);
    }
  });

  it('refuses first: 1001 naming the maximum, literal and as a variable', async () => {
    for (const res of [await run(literal(1001), { id: requestId }, ada.token), await run(asVariable, { id: requestId, n: 1001 }, ada.token)]) {
      expect(res.data ?? null).toBeNull();
      expect(res.errors).toMatchObject([{ message: 'files(first:) is at most 1000; got 1001.', extensions: { code: 'BAD_USER_INPUT' } }]);
    }
  });

  it('refuses pages of pages, saying how many objects they may return', async () => {
    const res = await run('{ stagingRequests(first: 100) { nodes { files(first: 1000) { nodes { id } } } } }', {}, ada.token);
    expect(res.data ?? null).toBeNull();
    expect(res.errors).toMatchObject([{ message: 'This query may return 100,201 objects; the limit is 20,000. Ask for smaller pages.', extensions: { code: 'BAD_USER_INPUT' } }]);
  });

  it('answers an anonymous stage with UNAUTHENTICATED (its selection is within budget)', async () => {
    const res = await run(STAGE, { input: { method: 'LOCAL_COPY', items: [{ source: 'set' }] } });
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});

it('answers HTTP 400 when it refuses an operation on cost', async () => {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ada.token}` },
    body: JSON.stringify({ query: literal(1001), variables: { id: requestId } }),
  });
  expect(res.status).toBe(400);
});
