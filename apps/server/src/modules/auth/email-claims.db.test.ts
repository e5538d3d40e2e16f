import http from 'node:http';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { sessionGql, signInWithDevIdp } from '../../../test/session';
import { OutboxEmail } from '../mail/outbox-email.entity';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { createDevIdp, DEV_IDP_CLIENT_ID, DEV_IDP_PATH, DevDirectory, type DevUser } from './dev-idp';

/**
 * What Stagecoach does with the `email` and `email_verified` claims of a configured issuer. A real
 * oidc-provider on its own port plays the institute's IdP; its accounts are edited between
 * sign-ins to play an IdP whose claims change.
 */
let db: TestDatabase;
let idpServer: http.Server;
let issuer: string;
const accounts: DevUser[] = [];
let idpDataDir: string;
const clientSecret = 'email-claims-client-secret-0123456789abcdef';

const ME = '{ me { email status role } }';
const rows = () => db.orm.em.fork();

/** The IdP's account `sub` (created or edited). */
function account(sub: string, email: string, verified: boolean): DevUser {
  const existing = accounts.find((a) => a.sub === sub);
  if (existing) return Object.assign(existing, { email, email_verified: verified });
  const created: DevUser = { login: sub, sub, email, email_verified: verified, name: sub };
  accounts.push(created);
  return created;
}

let server: TestServer;
let idpRouter: express.Router | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  const idpApp = express();
  idpApp.use(DEV_IDP_PATH, (req, res, next) => (idpRouter ? idpRouter(req, res, next) : next()));
  idpServer = http.createServer(idpApp);
  await new Promise<void>((r) => idpServer.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(idpServer.address() as { port: number }).port}${DEV_IDP_PATH}`;
  server = await startTestServer(db.orm, {
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: DEV_IDP_CLIENT_ID,
    OIDC_CLIENT_SECRET: clientSecret,
    ADMIN_EMAILS: 'boss@institute.example',
  });
  idpDataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-idp-'));
  idpRouter = (
    await createDevIdp({
      issuer,
      redirectUri: `${server.url}/auth/callback`,
      postLogoutRedirectUri: `${server.url}/`,
      secret: 'a-secret-for-cookie-keys-0123456789abcdef',
      dataDir: idpDataDir,
      directory: new DevDirectory(accounts),
      behindTls: false,
      clientSecret,
    })
  ).router;
});

afterAll(async () => {
  idpServer.closeAllConnections();
  await new Promise((r) => idpServer.close(r));
  await fs.rm(idpDataDir, { recursive: true, force: true });
});

async function signIn(sub: string) {
  const session = await signInWithDevIdp(server.url, sub);
  return {
    ...session,
    me: (await sessionGql(server.url, session.jar, ME)).data as { me: { email: string; status: string; role: string } | null },
  };
}

describe('an unverified email address', () => {
  it('does not take the address from its verified owner, who signs in afterwards', async () => {
    account('squatter-1', 'owner@institute.example', false);
    account('owner-1', 'owner@institute.example', true);
    expect((await signIn('squatter-1')).me).toEqual({
      me: { email: 'owner@institute.example', status: 'PENDING', role: 'USER' },
    });
    const owner = await signIn('owner-1');
    expect(owner.landedOn).toBe('/');
    expect(owner.me).toEqual({ me: { email: 'owner@institute.example', status: 'PENDING', role: 'USER' } });
    const both = await rows().find(User, { email: 'owner@institute.example' }, { orderBy: { createdAt: 'asc' } });
    expect(both.map((u) => [u.oidcSubject, u.emailVerified])).toEqual([
      ['squatter-1', false],
      ['owner-1', true],
    ]);
    // Looking the address up (CLI, admin tools) finds the verified owner.
    expect((await new UsersService(rows()).getByEmail('owner@institute.example')).oidcSubject).toBe('owner-1');
  });

  it('does not lock out an ADMIN_EMAILS admin: the verified owner still becomes the admin', async () => {
    account('squatter-2', 'boss@institute.example', false);
    account('boss-1', 'boss@institute.example', true);
    expect((await signIn('squatter-2')).me).toEqual({ me: { email: 'boss@institute.example', status: 'PENDING', role: 'USER' } });
    expect((await signIn('boss-1')).me).toEqual({ me: { email: 'boss@institute.example', status: 'ACTIVE', role: 'ADMIN' } });
  });

  it('cannot claim an address a verified account holds (the sign-in is refused)', async () => {
    account('owner-3', 'taken@institute.example', true);
    account('squatter-3', 'taken@institute.example', false);
    expect((await signIn('owner-3')).me?.me?.email).toBe('taken@institute.example');
    const squatter = await signIn('squatter-3');
    expect(squatter.landedOn).toBe('/?loginError=FORBIDDEN');
    expect(await rows().count(User, { oidcSubject: 'squatter-3' })).toBe(0);
  });
});

describe("a known user's email address", () => {
  it('does not follow a changed address the IdP has not verified', async () => {
    account('mover-1', 'mover@institute.example', true);
    await signIn('mover-1');
    account('mover-1', 'elsewhere@evil.example', false);
    expect((await signIn('mover-1')).me?.me?.email).toBe('mover@institute.example');
    expect(await rows().findOneOrFail(User, { oidcSubject: 'mover-1' })).toMatchObject({
      email: 'mover@institute.example',
      emailVerified: true,
    });
  });

  it('follows a changed address the IdP verified', async () => {
    account('mover-2', 'old@institute.example', true);
    await signIn('mover-2');
    account('mover-2', 'new@institute.example', true);
    expect((await signIn('mover-2')).me?.me?.email).toBe('new@institute.example');
  });

  it('does not move onto an address another verified account holds, and keeps its own verified flag', async () => {
    account('holder-4', 'held@institute.example', true);
    account('mover-4', 'mine@institute.example', true);
    await signIn('holder-4');
    await signIn('mover-4');
    account('mover-4', 'held@institute.example', true);
    expect((await signIn('mover-4')).me?.me?.email).toBe('mine@institute.example');
    expect(await rows().findOneOrFail(User, { oidcSubject: 'mover-4' })).toMatchObject({
      email: 'mine@institute.example',
      emailVerified: true,
    });
  });
});

describe('an email claim that is not exactly one address', () => {
  it.each([
    ['two addresses', 'a@institute.example, admin@institute.example'],
    ['a header injection', 'a@institute.example\r\nBcc: everyone@institute.example'],
    ['a display name', 'Ann <ann@institute.example>'],
    ['no domain', 'ann@'],
  ])('refuses the sign-in (%s) and queues no mail', async (_label, email) => {
    const sub = `bad-${accounts.length}`;
    account(sub, email, true);
    const before = await rows().count(OutboxEmail, {});
    const session = await signIn(sub);
    expect(session.landedOn).toBe('/?loginError=BAD_USER_INPUT');
    expect(session.me).toEqual({ me: null });
    expect(await rows().count(User, { oidcSubject: sub })).toBe(0);
    expect(await rows().count(OutboxEmail, {})).toBe(before);
  });
});
