import { API_ERROR_CODES } from '@stagecoach/domain';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '../test/db';
import { startTestServer, userWithToken, type TestServer } from '../test/app';
import { captureLogs, type LogLine } from '../test/log-capture';

// Malformed GraphQL over HTTP and WebSocket, generated from a fixed seed (a failure names the case's
// index; the same seed gives the same cases). Whatever arrives, the server answers with a 4xx, a
// GraphQL error carrying a code from the contract, or a graphql-ws close with a reason; never a 5xx,
// an internal error or a stack trace, and it stays healthy and small afterwards.

const SEED = 20_261_205;
const CASES = 1000;
const CONCURRENCY = 6;

let db: TestDatabase;
let server: TestServer;
let token: string;
let logs: LogLine[];

beforeAll(async () => {
  db = await createTestDatabase();
  const captured = captureLogs('warn');
  logs = captured.lines;
  server = await startTestServer(
    db.orm,
    { WS_MAX_CONNECTIONS_PER_ADDRESS: '1000', WS_MAX_ANONYMOUS_OPERATIONS: '5' },
    { logger: captured.logger },
  );
  token = (await userWithToken(db.orm, { email: 'fuzz@example.org' })).token;
});

// ---- what the cases are made of ----

const VALID = [
  '{ me { email } }',
  '{ stagingMethods { method label } }',
  'query($id: ID!) { stagingRequest(id: $id) { id status files(first: 5) { nodes { source } } } }',
  'query($first: Int, $after: String) { stagingRequests(first: $first, after: $after) { nodes { id } } }',
  'mutation($i: StageInput!) { stage(input: $i) { id } }',
  'subscription($id: ID!) { stagingRequestUpdated(id: $id) { id status } }',
  'subscription { logAppended(allUsers: true) { id message } }',
  'query Q { __schema { types { name } } } query R { me { id } }',
];
const TYPED = [
  { query: 'query($id: ID!) { stagingRequest(id: $id) { id } }', name: 'id' },
  { query: 'query($first: Int) { stagingRequests(first: $first) { nodes { id } } }', name: 'first' },
  { query: 'mutation($i: StageInput!) { stage(input: $i) { id } }', name: 'i' },
  { query: 'query($s: [RequestStatus!]) { stagingRequests(status: $s) { nodes { id } } }', name: 's' },
];
const PUNCTUATION = [...'{}()[]:$@!=.|&"\\#\n ,…', '...', '"""', '\u0000', '\ud800', '🚀'];

/** A valid document with random characters inserted, removed or replaced. */
const garbled = fc
  .tuple(
    fc.constantFrom(...VALID),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom('insert', 'delete', 'replace'),
        fc.oneof(fc.constantFrom(...PUNCTUATION), fc.string({ maxLength: 3 })),
      ),
      { minLength: 1, maxLength: 8 },
    ),
  )
  .map(([doc, edits]) => {
    let s = doc;
    for (const [at, op, text] of edits) {
      const i = at % (s.length + 1);
      s =
        op === 'insert'
          ? s.slice(0, i) + text + s.slice(i)
          : op === 'delete'
            ? s.slice(0, i) + s.slice(i + 1)
            : s.slice(0, i) + text + s.slice(i + 1);
    }
    return s;
  });
/** Deep selections, deep lists in a literal, or long chains of fragments spreading each other. */
const deep = fc
  .tuple(fc.integer({ min: 5, max: 4000 }), fc.constantFrom('selection', 'list', 'object', 'fragments'))
  .map(([n, kind]) => {
    if (kind === 'selection') return `{ me ${'{ id '.repeat(n)}${'}'.repeat(n)} }`;
    if (kind === 'list') return `{ stagingRequest(id: ${'['.repeat(n)}"x"${']'.repeat(n)}) { id } }`;
    if (kind === 'object') return `mutation { stage(input: ${'{ a: '.repeat(n)}1${' }'.repeat(n)}) { id } }`;
    return `{ ...F0 } ${Array.from({ length: Math.min(n, 600) }, (_, i) => `fragment F${i} on Query { ...F${i + 1} }`).join(' ')} fragment F${Math.min(n, 600)} on Query { me { id } }`;
  });
/** A megabyte-sized string where a short one belongs. */
const huge = fc
  .tuple(fc.integer({ min: 10_000, max: 2_000_000 }), fc.constantFrom('literal', 'alias', 'comment', 'block'))
  .map(([n, kind]) => {
    const big = 'x'.repeat(n);
    if (kind === 'literal') return `{ stagingRequest(id: "${big}") { id } }`;
    if (kind === 'alias') return `{ ${big}: me { id } }`;
    if (kind === 'comment') return `#${big}\n{ me { id } }`;
    return `{ stagingRequest(id: """${big}""") { id } }`;
  });
const documents = fc.oneof(garbled, deep, huge, fc.string({ maxLength: 200 }), fc.constantFrom(...VALID));

/** A body: the query in one of the above forms, with variables of the wrong shape or type. */
const request = fc.oneof(
  fc.record({ query: documents, variables: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }) }),
  fc
    .tuple(
      fc.constantFrom(...TYPED),
      fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.constant(1e308), fc.constant(-0), fc.string({ maxLength: 50 })),
    )
    .map(([t, v]) => ({ query: t.query, variables: { [t.name]: v } })),
  fc.record(
    {
      query: fc.jsonValue({ maxDepth: 2 }),
      variables: fc.jsonValue({ maxDepth: 2 }),
      operationName: fc.jsonValue({ maxDepth: 1 }),
      extensions: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  ),
  fc.tuple(fc.constantFrom(...VALID), fc.string({ maxLength: 30 })).map(([query, operationName]) => ({ query, operationName })),
);

/** Bodies graphql-ws accepts as a subscribe payload (a string query, object variables): they reach GraphQL. */
const wellFormed = fc.oneof(
  fc.record({
    query: documents,
    variables: fc.option(fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 3 }), {
      nil: undefined,
    }),
  }),
  fc
    .tuple(fc.constantFrom(...TYPED), fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.constant(1e308), fc.string({ maxLength: 50 })))
    .map(([t, v]) => ({ query: t.query, variables: { [t.name]: v } })),
  fc.tuple(fc.constantFrom(...VALID), fc.string({ maxLength: 30 })).map(([query, operationName]) => ({ query, operationName })),
);

type HttpCase = { transport: 'http'; body: string | Uint8Array; contentType: string; auth: boolean };
type WsCase = { transport: 'ws'; init: 'none' | 'once' | 'twice'; frames: (string | Uint8Array)[]; auth: boolean };

const utf8 = (s: string) => new TextEncoder().encode(s);
const httpCase = fc.record({
  transport: fc.constant('http' as const),
  body: fc.oneof(
    { weight: 6, arbitrary: request.map((r) => JSON.stringify(r)) },
    {
      weight: 1,
      arbitrary: request.map((r) => JSON.stringify(r)).chain((s) => fc.nat({ max: s.length }).map((n) => s.slice(0, n))),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null') },
  ),
  contentType: fc.constantFrom(
    'application/json',
    'application/json',
    'application/json',
    'application/json; charset=latin1',
    'application/graphql',
    'text/plain',
    'multipart/form-data',
  ),
  auth: fc.boolean(),
}) as fc.Arbitrary<HttpCase>;

const id = fc.oneof(fc.constantFrom('1', '2', 'a'), fc.string({ maxLength: 10 }));
const message = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.tuple(id, wellFormed).map(([i, payload]) => JSON.stringify({ id: i, type: 'subscribe', payload })),
  },
  { weight: 2, arbitrary: fc.tuple(id, request).map(([i, payload]) => JSON.stringify({ id: i, type: 'subscribe', payload })) },
  {
    weight: 1,
    arbitrary: fc
      .record(
        {
          id: fc.jsonValue({ maxDepth: 1 }),
          type: fc.constantFrom('subscribe', 'complete', 'next', 'error', 'ping', 'pong', 'connection_init', 'connection_ack'),
          payload: fc.jsonValue({ maxDepth: 3 }),
        },
        { requiredKeys: ['type'] },
      )
      .map((m) => JSON.stringify(m)),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ type: fc.string({ maxLength: 20 }), id, payload: fc.jsonValue({ maxDepth: 2 }) })
      .map((m) => JSON.stringify(m)),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(id, request).map(([i, payload]) => utf8(JSON.stringify({ id: i, type: 'subscribe', payload }))),
  },
  { weight: 1, arbitrary: id.map((i) => JSON.stringify({ id: i, type: 'complete' })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ type: fc.constantFrom('ping', 'pong'), payload: fc.jsonValue({ maxDepth: 2 }) })
      .map((m) => JSON.stringify(m)),
  },
);
const wsCase = fc.record({
  transport: fc.constant('ws' as const),
  init: fc.oneof(
    { weight: 1, arbitrary: fc.constant('none') },
    { weight: 14, arbitrary: fc.constant('once') },
    { weight: 1, arbitrary: fc.constant('twice') },
  ),
  frames: fc.array(message, { minLength: 1, maxLength: 3 }),
  auth: fc.boolean(),
}) as fc.Arbitrary<WsCase>;

// ---- what every answer must look like ----

const KNOWN = new Set<string>(API_ERROR_CODES);
const STACK = /\n\s+at [^\n]+:\d+:\d+|stacktrace|node_modules|\/src\/[\w/.-]+\.ts/i;

/** Problems with GraphQL errors (over either transport): a code from the contract, no internal error. */
function errorProblems(errors: unknown): string[] {
  if (errors === undefined) return [];
  if (!Array.isArray(errors)) return [`errors is not a list: ${JSON.stringify(errors).slice(0, 200)}`];
  return errors.flatMap((e: { message?: unknown; extensions?: { code?: unknown } }) => {
    const code = e?.extensions?.code;
    if (typeof e?.message !== 'string') return [`error without a message: ${JSON.stringify(e).slice(0, 200)}`];
    if (typeof code !== 'string' || !KNOWN.has(code))
      return [`error without a contract code: ${JSON.stringify(e).slice(0, 200)}`];
    if (code === 'INTERNAL_SERVER_ERROR') return [`internal error: ${e.message}`];
    return [];
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

async function runHttp(c: HttpCase): Promise<string[]> {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': c.contentType, 'x-stagecoach-csrf': '1', ...(c.auth ? { authorization: `Bearer ${token}` } : {}) },
    body: c.body,
  });
  const text = await res.text();
  const problems: string[] = [];
  if (res.status >= 500 || (res.status >= 300 && res.status < 400)) problems.push(`HTTP ${res.status}: ${text.slice(0, 300)}`);
  if (STACK.test(text)) problems.push(`stack trace in the body: ${text.slice(0, 300)}`);
  const body = parseJson(text) as { errors?: unknown; error?: { code?: unknown } } | null;
  if (!body) problems.push(`not a JSON object (HTTP ${res.status}): ${text.slice(0, 200)}`);
  if (body?.error) {
    if (!KNOWN.has(String(body.error.code)) || body.error.code === 'INTERNAL_SERVER_ERROR')
      problems.push(`route error: ${text.slice(0, 200)}`);
  } else if (body) problems.push(...errorProblems(body.errors));
  if (res.status === 200 && body && !('data' in body) && !body.errors)
    problems.push(`200 without data or errors: ${text.slice(0, 200)}`);
  return problems;
}

/** Codes a socket may be closed with: too big (1009), bad message (4400), not initialised (4401), busy id (4409), second init (4429). */
const CLOSE_CODES = new Set([1009, 4400, 4401, 4409, 4429]);

async function runWs(c: WsCase): Promise<string[]> {
  const socket = new WebSocket(server.url.replace('http', 'ws') + '/graphql', 'graphql-transport-ws');
  const received: { type?: string; payload?: unknown }[] = [];
  let lastMessageAt = Date.now();
  // Operations sent and not finished yet (their answers may come after the ping's).
  const pending = new Set<string>();
  for (const f of c.frames) {
    const m = parseJson(typeof f === 'string' ? f : new TextDecoder().decode(f)) as { type?: unknown; id?: unknown } | null;
    if (m?.type === 'subscribe' && typeof m.id === 'string') pending.add(m.id);
  }
  const problems: string[] = [];
  socket.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  let acked!: () => void;
  const ack = new Promise<void>((resolve) => (acked = resolve));
  const ponged = new Promise<void>((resolve) =>
    socket.on('message', (data, isBinary) => {
      const text = String(data);
      if (isBinary) problems.push('a binary message from the server');
      if (STACK.test(text)) problems.push(`stack trace in a message: ${text.slice(0, 300)}`);
      const m = parseJson(text) as { type?: string; payload?: unknown } | null;
      if (!m) return void problems.push(`a message that is not JSON: ${text.slice(0, 200)}`);
      lastMessageAt = Date.now();
      received.push(m);
      if (m.type === 'complete' || m.type === 'error') pending.delete(String((m as { id?: unknown }).id));
      if (m.type === 'pong' && (m.payload as { probe?: boolean } | undefined)?.probe) resolve();
      if (m.type === 'connection_ack') acked();
    }),
  );
  await new Promise<void>((resolve) => socket.once('open', () => resolve()).once('close', () => resolve()));
  const init = JSON.stringify({ type: 'connection_init', payload: c.auth ? { authorization: `Bearer ${token}` } : {} });
  if (c.init !== 'none') {
    // The frames go after the acknowledgement (sent earlier, they only test that the server waits for it).
    socket.send(init);
    await Promise.race([ack, closed]);
  }
  if (c.init === 'twice' && socket.readyState === WebSocket.OPEN) socket.send(init);
  for (const f of c.frames) if (socket.readyState === WebSocket.OPEN) socket.send(f, { binary: typeof f !== 'string' });
  // Still alive and answering after the frames (operations may still be running: they answer later or never).
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'ping', payload: { probe: true } }));
  const outcome = await Promise.race([
    ponged.then(() => 'alive' as const),
    closed,
    new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000)),
  ]);
  if (outcome === 'hung') problems.push('neither answered the ping nor closed within 10 s');
  let close = outcome === 'alive' || outcome === 'hung' ? null : outcome;
  if (outcome === 'alive') {
    // Operations still running answer a little later (live subscriptions never finish: they get a
    // quiet moment); then we hang up (a close the server sent first still shows its own code).
    const deadline = Date.now() + 5000;
    while (pending.size > 0 && Date.now() - lastMessageAt < 300 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    socket.close(1000);
    close = await closed;
    if (close.code === 1000) close = null;
  }
  if (close) {
    if (!CLOSE_CODES.has(close.code)) problems.push(`closed with ${close.code} ${close.reason}`);
    if (close.code !== 1009 && !close.reason) problems.push(`closed with ${close.code} and no reason`);
  }
  for (const m of received) {
    if (m.type === 'error') problems.push(...errorProblems(m.payload));
    if (m.type === 'next') problems.push(...errorProblems((m.payload as { errors?: unknown } | undefined)?.errors));
  }
  socket.terminate();
  return problems;
}

/** Runs `fn` over `items` with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

describe('GraphQL fuzzing (HTTP and WebSocket)', () => {
  it(`answers ${CASES} malformed documents and frames (seed ${SEED}) with 4xx, contract codes or closes with a reason; stays healthy and small`, async () => {
    const cases = fc.sample(fc.oneof(httpCase, wsCase), { seed: SEED, numRuns: CASES });
    expect(cases.filter((c) => c.transport === 'ws').length).toBeGreaterThan(CASES / 3);
    const rssBefore = process.memoryUsage().rss;
    const failures: { index: number; transport: string; problems: string[] }[] = [];
    await pool(cases, CONCURRENCY, async (c, index) => {
      const problems = c.transport === 'http' ? await runHttp(c) : await runWs(c);
      if (problems.length) failures.push({ index, transport: c.transport, problems });
    });
    expect(failures.sort((a, b) => a.index - b.index).slice(0, 10)).toEqual([]);

    // Healthy: the health check, a query over HTTP and one over the socket.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await server.gql('{ me { email } }', undefined, token)).data).toEqual({ me: { email: 'fuzz@example.org' } });
    const probe = await runWs({
      transport: 'ws',
      init: 'once',
      auth: true,
      frames: [JSON.stringify({ id: 'ok', type: 'subscribe', payload: { query: '{ me { email } }' } })],
    });
    expect(probe).toEqual([]);
    // Nothing was logged as a failure of ours.
    expect(logs.filter((l) => Number(l.level) >= 50).map((l) => JSON.stringify(l).slice(0, 1500))).toEqual([]);
    expect((process.memoryUsage().rss - rssBefore) / 2 ** 20).toBeLessThan(300);
  }, 120_000);
});
