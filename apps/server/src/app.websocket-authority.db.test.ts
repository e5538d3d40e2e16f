import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '../test/db';
import { startTestServer, userWithToken, type TestServer } from '../test/app';
import { signInWithDevIdp, type CookieJar } from '../test/session';
import type { LogEvent } from './lib/pubsub';

// An open GraphQL WebSocket holds no authority of its own: sign-out, demotion, disabling and token
// revocation reach it at once, for new operations and for subscriptions already running.

let db: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm);
});

type Message = { id?: string; type: string; payload?: unknown };

/** A raw graphql-transport-ws socket, acknowledged; what it receives is collected. */
async function openSocket(opts: { token?: string; jar?: CookieJar }) {
  const headers: Record<string, string> = opts.jar ? { cookie: opts.jar.header(), origin: server.url } : {};
  const socket = new WebSocket(server.url.replace('http', 'ws') + '/graphql', 'graphql-transport-ws', { headers });
  const messages: Message[] = [];
  let closed: { code: number; reason: string } | null = null;
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as Message));
  socket.on('close', (code, reason) => (closed = { code, reason: reason.toString() }));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('open', () => resolve()));
  socket.send(JSON.stringify({ type: 'connection_init', payload: opts.token ? { authorization: `Bearer ${opts.token}` } : {} }));
  await expect.poll(() => messages.some((m) => m.type === 'connection_ack')).toBe(true);
  let next = 0;
  return {
    socket,
    messages,
    closed: () => closed,
    /** Sends one operation; returns its id. */
    send(query: string, variables?: Record<string, unknown>) {
      const id = String(++next);
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
      return id;
    },
    of: (id: string) => messages.filter((m) => m.id === id),
  };
}

const logEvent = (message: string, userId: string | null = null): LogEvent => ({
  id: message,
  at: new Date().toISOString(),
  level: 'INFO',
  message,
  requestId: null,
  fileId: null,
  userId,
});
const codes = (m: Message | undefined) => JSON.stringify(m?.payload ?? null);

describe('GraphQL over WebSocket: authority is re-checked', () => {
  it('stops a demoted admin’s logAppended(allUsers: true) before the next entry, with FORBIDDEN', async () => {
    const ada = await userWithToken(db.orm, { email: 'ada.demoted@example.org', role: 'ADMIN' });
    const grace = await userWithToken(db.orm, { email: 'grace.admin@example.org', role: 'ADMIN' });
    const s = await openSocket({ token: ada.token });
    const id = s.send('subscription { logAppended(allUsers: true) { message } }');
    // The subscription is live once an entry of someone else's arrives.
    await expect
      .poll(() => {
        server.container.pubsub.publish('log:appended', logEvent('before', grace.id));
        return s.of(id).some((m) => m.type === 'next');
      })
      .toBe(true);

    const demoted = await server.gql(`mutation { setUserRole(id: "${ada.id}", role: USER) { role } }`, undefined, grace.token);
    expect(demoted.errors).toBeUndefined();
    server.container.pubsub.publish('log:appended', logEvent('after', grace.id));

    await expect.poll(() => s.of(id).at(-1)?.type).toBe('complete');
    const delivered = s.of(id).filter((m) => m.type === 'next');
    expect(delivered.map(codes).filter((p) => p.includes('"after"'))).toEqual([]);
    expect(codes(delivered.at(-1))).toContain('FORBIDDEN');
    // Subscribing again is refused outright.
    const again = s.send('subscription { logAppended(allUsers: true) { message } }');
    await expect.poll(() => codes(s.of(again)[0])).toContain('FORBIDDEN');
    s.socket.close();
  });

  it('after signing out in one tab, another tab’s socket cannot createApiToken', async () => {
    const session = await signInWithDevIdp(server.url, 'user');
    const tab = await openSocket({ jar: session.jar });
    const me = tab.send('{ me { email } }');
    await expect.poll(() => codes(tab.of(me)[0])).toContain('user@example.org');

    const out = await fetch(`${server.url}/auth/logout`, {
      method: 'POST',
      headers: { cookie: session.jar.header(), 'x-stagecoach-csrf': '1', accept: 'application/json' },
    });
    expect(out.status).toBe(200);

    // Whichever comes first, the sign-out's close or the operation's own check: never a token.
    const mint = tab.closed()
      ? null
      : tab.send('mutation { createApiToken(name: "after sign-out", expiresInDays: 1) { secret } }');
    await expect
      .poll(() => tab.closed()?.code ?? (mint && codes(tab.of(mint)[0]).includes('UNAUTHENTICATED') ? 'refused' : null))
      .toBeTruthy();
    if (mint) expect(tab.of(mint).map(codes).join()).not.toContain('secret');
    await expect.poll(() => tab.closed()).toEqual({ code: 4403, reason: 'Your sign-in ended; connect again.' });
    const tokens = await db.orm.em
      .fork()
      .getConnection()
      .execute(`select t.name from api_tokens t join users u on u.id = t.user_id where u.email = 'user@example.org'`);
    expect(tokens).toEqual([]);
  });

  it('checks the session again for every operation (a session that ended without a sign-out)', async () => {
    const session = await signInWithDevIdp(server.url, 'user');
    const tab = await openSocket({ jar: session.jar });
    const me = tab.send('{ me { email } }');
    await expect.poll(() => codes(tab.of(me)[0])).toContain('user@example.org');
    // As if it expired: the store no longer has it, and nobody was told.
    await db.orm.em.fork().getConnection().execute(`delete from http_sessions`);
    const mint = tab.send('mutation { createApiToken(name: "expired session", expiresInDays: 1) { secret } }');
    await expect.poll(() => codes(tab.of(mint)[0])).toContain('UNAUTHENTICATED');
    tab.socket.close();
  });

  it('closes the socket of a revoked API token; the token then answers UNAUTHENTICATED', async () => {
    const dave = await userWithToken(db.orm, { email: 'dave.revoked@example.org' });
    const s = await openSocket({ token: dave.token });
    const me = s.send('{ me { email } }');
    await expect.poll(() => codes(s.of(me)[0])).toContain('dave.revoked@example.org');
    const watch = s.send('subscription { logAppended { message } }');

    const { data } = await server.gql<{ apiTokens: { id: string }[] }>('{ apiTokens { id } }', undefined, dave.token);
    const revoked = await server.gql(
      `mutation { revokeApiToken(id: "${data!.apiTokens[0]!.id}") { revokedAt } }`,
      undefined,
      dave.token,
    );
    expect(revoked.errors).toBeUndefined();

    await expect.poll(() => s.closed()).toEqual({ code: 4403, reason: 'Your sign-in ended; connect again.' });
    server.container.pubsub.publish('log:appended', logEvent('after revocation', dave.id));
    expect(s.of(watch).filter((m) => m.type === 'next')).toEqual([]);
    const fresh = await openSocket({ token: dave.token });
    const again = fresh.send('{ me { email } }');
    await expect.poll(() => codes(fresh.of(again)[0])).toContain('UNAUTHENTICATED');
    fresh.socket.close();
  });

  it('closes a disabled user’s socket', async () => {
    const erin = await userWithToken(db.orm, { email: 'erin.disabled@example.org' });
    const admin = await userWithToken(db.orm, { email: 'admin.disabler@example.org', role: 'ADMIN' });
    const s = await openSocket({ token: erin.token });
    const me = s.send('{ me { email } }');
    await expect.poll(() => codes(s.of(me)[0])).toContain('erin.disabled@example.org');
    const disabled = await server.gql(`mutation { disableUser(id: "${erin.id}") { status } }`, undefined, admin.token);
    expect(disabled.errors).toBeUndefined();
    await expect.poll(() => s.closed()?.code).toBe(4403);
  });
});
