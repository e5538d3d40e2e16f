import { createClient } from 'graphql-ws';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, userWithToken, type TestServer } from '../../test/app';
import { createTestDatabase, type TestDatabase } from '../../test/db';
import { captureLogs, type LogLine as Line } from '../../test/log-capture';


let db: TestDatabase;
let server: TestServer;
let admin: { id: string; email: string; token: string };
/** The server's real logger; its JSON lines land in `lines`. */
const { logger: serverLogger, lines } = captureLogs();

/** Waits for a line the server writes later (the job runner picks jobs up on its own schedule). */
async function lineWhere(match: (l: Line) => boolean, timeoutMs = 15_000): Promise<Line> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = lines.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no such log line among ${lines.length}: ${JSON.stringify(lines.slice(-5))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function postGraphQL(query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
  const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { requestId: res.headers.get('x-request-id'), body: (await res.json()) as { data?: unknown; errors?: unknown[] } };
}

const approve = 'mutation($id: ID!) { approveUser(id: $id) { status } }';

beforeAll(async () => {
  db = await createTestDatabase();
  // No SMTP_URL: the approval mail's job writes the mail to the log, a line the job itself logs.
  server = await startTestServer(db.orm, {}, { dbUrl: db.url, logger: serverLogger });
  admin = await userWithToken(db.orm, { email: 'root@example.org', role: 'ADMIN' });
});

describe('log context', () => {
  it("puts the caller's request id and user id on the lines of a GraphQL request, and the job's id on the lines of the job it queued", async () => {
    const pending = await userWithToken(db.orm, { email: 'newcomer@example.org', status: 'PENDING' });
    const res = await postGraphQL(approve, { id: pending.id }, { authorization: `Bearer ${admin.token}`, 'x-request-id': 'client-req-42' });
    expect(res.body.errors).toBeUndefined();
    expect(res.requestId).toBe('client-req-42');

    // Written by the service, deep inside the resolver: nothing passed it the request.
    const decision = await lineWhere((l) => l.msg === 'account decision' && l.targetUserId === pending.id);
    expect(decision).toMatchObject({ requestId: 'client-req-42', userId: admin.id, module: 'users' });
    const completed = await lineWhere((l) => l.msg === 'request completed' && l.requestId === 'client-req-42');
    expect(completed).toMatchObject({ userId: admin.id, module: 'http', res: { statusCode: 200 } });

    const mailed = await lineWhere((l) => (l.mail as { to?: string } | undefined)?.to === pending.email);
    expect(mailed).toMatchObject({ task: 'send_email', module: 'mail' });
    expect(mailed.jobId).toMatch(/^\d+$/);
    // A job is its own unit of work: the request that queued it has ended.
    expect(mailed.requestId).toBeUndefined();
    expect(mailed.userId).toBeUndefined();
  });

  it('replaces an unusable X-Request-Id by its own and tells the caller', async () => {
    const res = await postGraphQL('{ me { email } }', {}, { authorization: `Bearer ${admin.token}`, 'x-request-id': 'not ok; ' + 'x'.repeat(200) });
    expect(res.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const completed = await lineWhere((l) => l.msg === 'request completed' && l.requestId === res.requestId);
    expect(completed.userId).toBe(admin.id);
    expect(lines.some((l) => String(l.requestId).startsWith('not ok'))).toBe(false);
  });

  it("puts the socket's request id, the operation's id and the user on the lines of a GraphQL-over-WebSocket operation", async () => {
    const pending = await userWithToken(db.orm, { email: 'socket-newcomer@example.org', status: 'PENDING' });
    const echoed: (string | undefined)[] = [];
    class SocketWithRequestId extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { 'x-request-id': 'socket-7' } });
        this.on('upgrade', (response) => echoed.push(response.headers['x-request-id'] as string | undefined));
      }
    }
    const client = createClient({ url: server.url.replace('http', 'ws') + '/graphql', webSocketImpl: SocketWithRequestId, connectionParams: { authorization: `Bearer ${admin.token}` }, retryAttempts: 0 });
    try {
      const result = await new Promise((resolve, reject) => {
        let last: unknown;
        client.subscribe({ query: approve, variables: { id: pending.id } }, { next: (r) => (last = r), error: reject, complete: () => resolve(last) });
      });
      expect(result).toEqual({ data: { approveUser: { status: 'ACTIVE' } } });
    } finally {
      await client.dispose();
    }
    expect(echoed).toEqual(['socket-7']);
    const decision = await lineWhere((l) => l.msg === 'account decision' && l.targetUserId === pending.id);
    expect(decision).toMatchObject({ requestId: 'socket-7', userId: admin.id });
    expect(decision.operationId).toEqual(expect.any(String));
  });
});
