import type { Socket } from 'node:net';
import { createClient } from 'graphql-ws';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '../test/db';
import { startTestServer, type TestServer } from '../test/app';
import { WS_MAX_PAYLOAD_BYTES } from './app';

// Limits of the GraphQL WebSocket: what an anonymous client can make the server parse, hold and
// keep open must stay as bounded as over HTTP.

let db: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm, { WS_MAX_ANONYMOUS_OPERATIONS: '2', WS_MAX_CONNECTIONS_PER_ADDRESS: '4' });
});

type Result = { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };

/** Runs one operation over graphql-ws and resolves with its single result. */
function overWebSocket(target: TestServer, query: string): Promise<Result> {
  const client = createClient({ url: wsUrl(target), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  return new Promise<Result>((resolve, reject) => {
    let result: unknown;
    client.subscribe(
      { query },
      {
        next: (r) => (result = r),
        error: (e) => {
          void client.dispose();
          if (Array.isArray(e)) resolve({ errors: e });
          else reject(e instanceof Error ? e : new Error(`socket closed: ${JSON.stringify({ code: (e as CloseEvent).code, reason: (e as CloseEvent).reason })}`));
        },
        complete: () => {
          void client.dispose();
          resolve(result as never);
        },
      },
    );
  });
}

const wsUrl = (target: TestServer) => target.url.replace('http', 'ws') + '/graphql';

/** A raw graphql-transport-ws socket, acknowledged; messages it receives are collected. */
async function rawSocket(target: TestServer, headers: Record<string, string> = {}) {
  const socket = new WebSocket(wsUrl(target), 'graphql-transport-ws', { headers });
  const messages: { id?: string; type: string; payload?: unknown }[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as (typeof messages)[number]));
  socket.on('error', () => undefined);
  const acked = new Promise<boolean>((resolve) => {
    socket.on('message', (data) => (JSON.parse(String(data)) as { type: string }).type === 'connection_ack' && resolve(true));
    void closed.then(() => resolve(false));
  });
  await new Promise<void>((resolve) => socket.once('open', () => resolve()).once('close', () => resolve()));
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  return { socket, messages, closed, acked: await acked };
}

/** A document far over the token limit that only fails at its very end. */
const oversizedDocument = (bytes: number) => `{ ${'__typename '.repeat(Math.ceil(bytes / 11))} }}`;

describe('GraphQL over WebSocket: limits', () => {
  it('keeps the memory flat while anonymous sockets send megabyte documents', async () => {
    const before = process.memoryUsage().rss;
    const sockets = await Promise.all(Array.from({ length: 4 }, () => rawSocket(server)));
    const document = oversizedDocument(3 * 1024 * 1024);
    expect(Buffer.byteLength(document)).toBeLessThan(WS_MAX_PAYLOAD_BYTES);
    for (const [i, s] of sockets.entries()) s.socket.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query: document } }));
    for (const s of sockets) {
      await expect.poll(() => s.messages.some((m) => m.type === 'error'), { timeout: 60_000 }).toBe(true);
      s.socket.close();
    }
    expect((process.memoryUsage().rss - before) / 2 ** 20).toBeLessThan(200);
  }, 120_000);

  it('refuses a document over the token limit with the same error over HTTP and WebSocket', async () => {
    const query = `{ ${'__typename '.repeat(6000)}}`;
    const overHttp = (await server.gql(query)).errors?.[0];
    const overSocket = (await overWebSocket(server, query)).errors?.[0];
    expect(overHttp?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(overHttp?.message).toMatch(/token/i);
    expect({ message: overSocket?.message, code: overSocket?.extensions?.code }).toEqual({ message: overHttp?.message, code: overHttp?.extensions?.code });
  });

  it('closes a socket whose frame is larger than a 10,000-item stage needs with 1009', async () => {
    const s = await rawSocket(server);
    s.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ __typename }', variables: { pad: 'x'.repeat(WS_MAX_PAYLOAD_BYTES) } } }));
    expect((await s.closed).code).toBe(1009);
  });

  it('accepts a 10,000-item stage with 100-character paths in one frame', async () => {
    const path = (i: number) => `projects/survey-2026/raw/night-0412/ccd-07/exposure-${String(i).padStart(6, '0')}/frame.fits`.padEnd(100, '-');
    const items = Array.from({ length: 10_000 }, (_, i) => ({ source: path(i), target: `results/${path(i)}` }));
    const s = await rawSocket(server);
    s.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'mutation($input: StageInput!) { stage(input: $input) { id } }', variables: { input: { items, method: 'LOCAL_COPY' } } } }));
    // Anonymous: refused by the API (not by the frame limit), the socket stays open.
    await expect.poll(() => JSON.stringify(s.messages.find((m) => m.id === '1')?.payload ?? null), { timeout: 30_000 }).toContain('UNAUTHENTICATED');
    expect(s.socket.readyState).toBe(WebSocket.OPEN);
    s.socket.close();
  });

  it('refuses operations beyond the in-flight limit of an anonymous socket', async () => {
    const s = await rawSocket(server);
    const ids = Array.from({ length: 20 }, (_, i) => String(i));
    // One write: the server sees all of them before any has finished.
    const tcp = (s.socket as unknown as { _socket: Socket })._socket;
    tcp.cork();
    for (const id of ids) s.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: '{ me { email } }' } }));
    tcp.uncork();
    await expect.poll(() => ids.every((id) => s.messages.some((m) => m.id === id && m.type !== 'next')), { timeout: 30_000 }).toBe(true);
    const refused = s.messages.filter((m) => m.type === 'error' && JSON.stringify(m.payload).includes('RATE_LIMITED'));
    expect(refused.length).toBeGreaterThan(0);
    expect(JSON.stringify(refused[0]!.payload)).toMatch(/at once on this connection/);
    // The socket stays usable once the burst is over.
    s.socket.send(JSON.stringify({ id: 'after', type: 'subscribe', payload: { query: '{ me { email } }' } }));
    await expect.poll(() => s.messages.find((m) => m.id === 'after')?.payload, { timeout: 10_000 }).toEqual({ data: { me: null } });
    s.socket.close();
    await s.closed;
  });

  it('closes sockets beyond the per-address limit with a reason', async () => {
    const open = await Promise.all(Array.from({ length: 4 }, () => rawSocket(server)));
    expect(open.map((s) => s.acked)).toEqual([true, true, true, true]);
    const extra = await rawSocket(server);
    expect(extra.acked).toBe(false);
    expect(await extra.closed).toEqual({ code: 1008, reason: 'Too many connections from this address' });
    // A closed socket frees its place.
    open[0]!.socket.close();
    await open[0]!.closed;
    await expect.poll(async () => {
      const next = await rawSocket(server);
      next.socket.close();
      return next.acked;
    }).toBe(true);
    for (const s of open.slice(1)) s.socket.close();
  });

  it('counts the client behind a trusted proxy, not the proxy', async () => {
    const behind = (client: string) => rawSocket(server, { 'x-forwarded-for': client });
    const first = await Promise.all(Array.from({ length: 4 }, () => behind('203.0.113.5')));
    expect(first.map((s) => s.acked)).toEqual([true, true, true, true]);
    const other = await behind('198.51.100.7');
    expect(other.acked).toBe(true);
    const fifth = await behind('203.0.113.5');
    expect(fifth.acked).toBe(false);
    for (const s of [...first, other]) s.socket.close();
  });
});

describe('GraphQL over WebSocket: production masking', () => {
  let production: TestServer;
  beforeAll(async () => {
    production = await startTestServer(db.orm, { NODE_ENV: 'production', OIDC_ISSUER: 'https://idp.example.org', OIDC_CLIENT_ID: 'sc', SESSION_SECRET: 'x'.repeat(32) });
  });

  it('hides field suggestions over WebSocket as over HTTP', async () => {
    const overHttp = (await production.gql('{ stagingMethod { method } }')).errors?.[0];
    const overSocket = (await overWebSocket(production, '{ stagingMethod { method } }')).errors?.[0];
    expect(overHttp?.message).toMatch(/stagingMethod/);
    expect(overHttp?.message).not.toMatch(/Did you mean/);
    expect({ message: overSocket?.message, code: overSocket?.extensions?.code }).toEqual({ message: overHttp?.message, code: overHttp?.extensions?.code });
  });
});
