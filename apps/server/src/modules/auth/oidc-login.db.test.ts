import http from 'node:http';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { createClient } from 'graphql-ws';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, userWithToken, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { sessionGql, signInWithDevIdp, type CookieJar } from '../../../test/session';
import { OutboxEmail } from '../mail/outbox-email.entity';
import { User } from '../users/user.entity';
import { createDevIdp, DEV_IDP_CLIENT_ID, DEV_IDP_ISSUER_KEY, DEV_IDP_PATH, DevDirectory } from './dev-idp';

let db: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm);
});

const ME = '{ me { email status role username } }';
const users = () => db.orm.em.fork();

/** One graphql-ws operation with a cookie (and an Origin) on the upgrade request. */
function overSocket(url: string, query: string, headers: Record<string, string>) {
  class CookieSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const client = createClient({ url: url.replace('http', 'ws') + '/graphql', webSocketImpl: CookieSocket, retryAttempts: 0, lazy: true });
  return new Promise<{ data?: unknown; errors?: unknown; closeCode?: number }>((resolve) => {
    let result: { data?: unknown } = {};
    client.subscribe(
      { query },
      {
        next: (r) => (result = r as { data?: unknown }),
        error: (e) => {
          void client.dispose();
          resolve(Array.isArray(e) ? { errors: e } : { closeCode: (e as { code?: number }).code });
        },
        complete: () => {
          void client.dispose();
          resolve(result);
        },
      },
    );
  });
}

describe('sign-in at the development IdP (authorization code + PKCE, plain fetch)', () => {
  let grace: { jar: CookieJar; landedOn: string; callbackSetCookie: string[]; trail: string[] };

  beforeAll(async () => {
    grace = await signInWithDevIdp(server.url, 'grace.hopper');
  });

  it('ends with a session cookie that answers me; a new person is PENDING', async () => {
    expect(grace.trail[1]).toContain(`${server.url}/dev-idp/auth?`);
    expect(grace.trail[1]).toContain('code_challenge_method=S256');
    expect(grace.landedOn).toBe('/');
    const me = await sessionGql(server.url, grace.jar, ME);
    expect(me.data).toEqual({ me: { email: 'grace.hopper@example.org', status: 'PENDING', role: 'USER', username: 'grace.hopper' } });
  });

  it('sets an HttpOnly, SameSite=Lax session cookie (not Secure on plain http) backed by PostgreSQL', async () => {
    const cookie = grace.callbackSetCookie.find((c) => c.startsWith('stagecoach.sid='))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).not.toMatch(/; Secure/);
    const rows = await users().getConnection().execute<{ n: string }[]>(`select count(*) n from http_sessions where sess::text like ?`, [`%"passport"%`]);
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
  });

  it('keys users by issuer and subject: signing in again finds the same account', async () => {
    const first = await users().findOneOrFail(User, { email: 'grace.hopper@example.org' });
    expect(first).toMatchObject({ oidcIssuer: DEV_IDP_ISSUER_KEY, oidcSubject: 'dev:grace.hopper@example.org', emailVerified: true });
    const again = await signInWithDevIdp(server.url, 'Grace.Hopper');
    expect((await sessionGql(server.url, again.jar, ME)).data).toMatchObject({ me: { email: 'grace.hopper@example.org' } });
    expect(await users().count(User, { email: 'grace.hopper@example.org' })).toBe(1);
  });

  it("records whether the username is the IdP's own name, also for an account from before it was recorded", async () => {
    expect(await users().findOneOrFail(User, { email: 'grace.hopper@example.org' })).toMatchObject({ username: 'grace.hopper', usernameOrigin: 'IDP' });
    await users().nativeUpdate(User, { email: 'grace.hopper@example.org' }, { usernameOrigin: null });
    await signInWithDevIdp(server.url, 'grace.hopper');
    expect(await users().findOneOrFail(User, { email: 'grace.hopper@example.org' })).toMatchObject({ usernameOrigin: 'IDP' });
  });

  it('gives the fixture admin and the fixture user their active roles', async () => {
    const admin = await signInWithDevIdp(server.url, 'admin@example.org');
    expect((await sessionGql(server.url, admin.jar, ME)).data).toEqual({ me: { email: 'admin@example.org', status: 'ACTIVE', role: 'ADMIN', username: 'admin' } });
    const user = await signInWithDevIdp(server.url, 'user');
    expect((await sessionGql(server.url, user.jar, ME)).data).toEqual({ me: { email: 'user@example.org', status: 'ACTIVE', role: 'USER', username: 'user' } });
  });

  it('lets a pending session user read me but nothing else', async () => {
    const res = await sessionGql(server.url, grace.jar, '{ apiTokens { id } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('USER_NOT_APPROVED');
  });

  it('returns to a same-origin returnTo after the callback and ignores any other', async () => {
    expect((await signInWithDevIdp(server.url, 'user', '?returnTo=%2Frequests%2Fabc%3Fx%3D1')).landedOn).toBe('/requests/abc?x=1');
    expect((await signInWithDevIdp(server.url, 'user', '?returnTo=%2F%2Fevil.example%2F')).landedOn).toBe('/');
    expect((await signInWithDevIdp(server.url, 'user', '?returnTo=https%3A%2F%2Fevil.example%2F')).landedOn).toBe('/');
  });

  it('refuses a cookie-authenticated GraphQL POST without the CSRF header', async () => {
    const res = await sessionGql(server.url, grace.jar, ME, undefined, { csrf: false });
    expect(res.status).toBe(403);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // A form post (text/plain, the one cross-site requests can send) is refused by Apollo too.
    const form = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain', cookie: grace.jar.header(), 'x-stagecoach-csrf': '1' }, body: JSON.stringify({ query: ME }) });
    expect(form.status).toBe(400);
  });

  it('does not need the CSRF header with a bearer token (the cookie is then ignored)', async () => {
    const bob = await userWithToken(db.orm, { email: 'bob@example.org' });
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bob.token}`, cookie: grace.jar.header() },
      body: JSON.stringify({ query: ME }),
    });
    expect(((await res.json()) as { data: { me: { email: string } } }).data.me.email).toBe('bob@example.org');
  });

  it('authenticates a graphql-ws socket by its session cookie from our origin', async () => {
    const res = await overSocket(server.url, ME, { cookie: grace.jar.header(), origin: server.url });
    expect(res.data).toMatchObject({ me: { email: 'grace.hopper@example.org', status: 'PENDING' } });
  });

  it('refuses a cookie-authenticated socket opened from another origin', async () => {
    const res = await overSocket(server.url, ME, { cookie: grace.jar.header(), origin: 'https://evil.example' });
    expect(res.closeCode).toBe(4403);
    // Without a cookie the origin does not matter: the socket is anonymous.
    expect((await overSocket(server.url, ME, { origin: 'https://evil.example' })).data).toEqual({ me: null });
  });

  it('signs out: the session ends and the IdP logout URL comes back', async () => {
    const session = await signInWithDevIdp(server.url, 'user');
    expect((await sessionGql(server.url, session.jar, ME)).data).toMatchObject({ me: { email: 'user@example.org' } });
    const res = await fetch(`${server.url}/auth/logout`, { method: 'POST', headers: { cookie: session.jar.header(), 'x-stagecoach-csrf': '1' } });
    expect(res.status).toBe(200);
    const { redirectTo } = (await res.json()) as { redirectTo: string };
    const end = new URL(redirectTo);
    expect(end.origin + end.pathname).toBe(`${server.url}${DEV_IDP_PATH}/session/end`);
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${server.url}/`);
    expect(end.searchParams.get('id_token_hint')).toBeTruthy();
    expect(res.headers.getSetCookie().join()).toMatch(/stagecoach\.sid=;/);
    // The old cookie no longer works even if a client kept it.
    expect((await sessionGql(server.url, session.jar, ME)).data).toEqual({ me: null });
    // The IdP accepts the RP-initiated logout request.
    expect((await fetch(redirectTo)).status).toBe(200);
  });

  it('refuses a cross-site logout (no CSRF header, foreign Origin)', async () => {
    const res = await fetch(`${server.url}/auth/logout`, { method: 'POST', headers: { cookie: grace.jar.header(), origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect((await sessionGql(server.url, grace.jar, ME)).data).toMatchObject({ me: { status: 'PENDING' } });
  });
});

describe('ADMIN_EMAILS', () => {
  let listed: TestServer;
  beforeAll(async () => {
    listed = await startTestServer(db.orm, { ADMIN_EMAILS: 'unverified@example.org, boss@example.org' });
  });

  it('makes a listed address an active admin on first sign-in when the IdP verified it', async () => {
    const boss = await signInWithDevIdp(listed.url, 'boss@example.org');
    expect((await sessionGql(listed.url, boss.jar, ME)).data).toMatchObject({ me: { email: 'boss@example.org', status: 'ACTIVE', role: 'ADMIN' } });
  });

  it('does NOT make a listed address an admin when the IdP did not verify it', async () => {
    const mallory = await signInWithDevIdp(listed.url, 'unverified@example.org');
    expect((await sessionGql(listed.url, mallory.jar, ME)).data).toEqual({ me: { email: 'unverified@example.org', status: 'PENDING', role: 'USER', username: 'unverified' } });
    const row = await users().findOneOrFail(User, { email: 'unverified@example.org' });
    expect(row).toMatchObject({ emailVerified: false, role: 'USER', status: 'PENDING' });
  });
});

describe('a configured OIDC issuer (OIDC_ISSUER)', () => {
  it('discovers it, signs in with code + PKCE and keys users by its issuer URL', async () => {
    // A separate oidc-provider on its own port stands in for an institute's IdP.
    const idpApp = express();
    const idpServer = http.createServer(idpApp);
    await new Promise<void>((r) => idpServer.listen(0, '127.0.0.1', r));
    const issuer = `http://127.0.0.1:${(idpServer.address() as { port: number }).port}${DEV_IDP_PATH}`;
    const clientSecret = 'external-client-secret-0123456789abcdef';
    const external = await startTestServer(db.orm, { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: DEV_IDP_CLIENT_ID, OIDC_CLIENT_SECRET: clientSecret });
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-idp-'));
    const idp = await createDevIdp({
      issuer,
      redirectUri: `${external.url}/auth/callback`,
      postLogoutRedirectUri: `${external.url}/`,
      secret: 'a-secret-for-cookie-keys-0123456789abcdef',
      dataDir,
      directory: new DevDirectory([{ login: 'ext', sub: 'ext-42', email: 'Ext@Institute.example', email_verified: true, name: 'Ext Ernal' }]),
      behindTls: false,
      clientSecret,
    });
    idpApp.use(DEV_IDP_PATH, idp.router);
    try {
      // The built-in IdP is not mounted when an issuer is configured.
      expect((await fetch(`${external.url}${DEV_IDP_PATH}/.well-known/openid-configuration`)).headers.get('content-type')).not.toMatch(/json/);
      const session = await signInWithDevIdp(external.url, 'ext');
      expect(session.trail[1]).toContain(`${issuer}/auth?`);
      expect((await sessionGql(external.url, session.jar, ME)).data).toEqual({ me: { email: 'ext@institute.example', status: 'PENDING', role: 'USER', username: 'ext' } });
      const row = await users().findOneOrFail(User, { email: 'ext@institute.example' });
      expect(row).toMatchObject({ oidcIssuer: issuer, oidcSubject: 'ext-42', name: 'Ext Ernal' });
    } finally {
      idpServer.closeAllConnections();
      await new Promise((r) => idpServer.close(r));
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('sign-up notifications', () => {
  it('mails every active admin and posts the Slack-compatible webhook when a new person signs in', async () => {
    const received: unknown[] = [];
    const hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      const notifying = await startTestServer(db.orm, { SIGNUP_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook` }, { dbUrl: db.url });
      await signInWithDevIdp(notifying.url, 'admin'); // an active admin exists (the fixture admin)
      await signInWithDevIdp(notifying.url, 'ada.lovelace');
      const deadline = Date.now() + 15_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(received).toHaveLength(1);
      const msg = received[0] as { text: string; blocks: { type: string; elements?: { url: string; type: string }[] }[] };
      expect(msg.text).toContain('ada.lovelace@example.org');
      const button = msg.blocks.find((b) => b.type === 'actions')!.elements![0]!;
      expect(button).toMatchObject({ type: 'button', url: `${notifying.url}/admin/users` });

      const mails = await users().find(OutboxEmail, { template: 'signup-pending', subject: { $like: '%ada.lovelace@example.org%' } });
      const admins = await users().find(User, { role: 'ADMIN', status: 'ACTIVE' });
      expect(admins.map((a) => a.email)).toContain('admin@example.org');
      expect(mails.map((m) => m.recipient).sort()).toEqual(admins.map((a) => a.email).sort());
      expect(mails[0]!.text).toContain(`${notifying.url}/admin/users`);
    } finally {
      hook.closeAllConnections();
      await new Promise((r) => hook.close(r));
    }
  });
});

describe('rate limits', () => {
  it('answers 429 when one address starts too many sign-ins', async () => {
    const strict = await startTestServer(db.orm, { RATE_LIMIT_LOGINS: '3' });
    const answers: Response[] = [];
    for (let i = 0; i < 5; i++) answers.push(await fetch(`${strict.url}/auth/login`, { redirect: 'manual' }));
    expect(answers.map((r) => r.status)).toEqual([302, 302, 302, 429, 429]);
    // Whole seconds until the next attempt is allowed (3 a minute: up to 20).
    expect(Number(answers[3]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(answers[3]!.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
