import { beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, userWithToken, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { OutboxEmail } from '../mail/outbox-email.entity';
import { User } from '../users/user.entity';
import { SERVICEX_METHOD_NOT_ALLOWED, SERVICEX_NOT_ADMIN, SERVICEX_NOT_FOUND, SERVICEX_PENDING } from './servicex.routes';

let db: TestDatabase;
let server: TestServer;
type U = { id: string; email: string; token: string };
let admin: U;
let alice: U;
let pat: U;
let quinn: U;
let pendingAdmin: U;
let disabledAdmin: U;

const em = () => db.orm.em.fork();

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm, {}, { dbUrl: db.url });
  admin = await userWithToken(db.orm, { email: 'ops@example.org', role: 'ADMIN' });
  alice = await userWithToken(db.orm, { email: 'alice@example.org' });
  pat = await userWithToken(db.orm, { email: 'pat@example.org', status: 'PENDING' });
  quinn = await userWithToken(db.orm, { email: 'quinn@example.org', status: 'PENDING' });
  pendingAdmin = await userWithToken(db.orm, { email: 'new-admin@example.org', role: 'ADMIN', status: 'PENDING' });
  disabledAdmin = await userWithToken(db.orm, { email: 'old-admin@example.org', role: 'ADMIN', status: 'DISABLED' });
});

/** A request as ServiceX admins' scripts send it (`requests` with a Bearer header). */
async function call(method: string, path: string, opts: { token?: string; json?: unknown; form?: Record<string, string> } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
  }
  const res = await fetch(`${server.url}${path}`, { method, headers, body });
  return {
    status: res.status,
    headers: res.headers,
    json: (await res.json().catch(() => null)) as Record<string, unknown> | null,
  };
}

describe('ServiceX user management', () => {
  it('GET /users lists every account as {users: [{email, id, admin, pending}]}', async () => {
    const res = await call('GET', '/users', { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const users = res.json!.users as Record<string, unknown>[];
    expect(users).toContainEqual({ email: 'ops@example.org', id: admin.id, admin: true, pending: false });
    expect(users).toContainEqual({ email: 'alice@example.org', id: alice.id, admin: false, pending: false });
    expect(users).toContainEqual({ email: 'pat@example.org', id: pat.id, admin: false, pending: true });
    for (const u of users) expect(Object.keys(u).sort()).toEqual(['admin', 'email', 'id', 'pending']);
  });

  it('GET /pending lists only the pending accounts as {users: [{email, id, admin}]}', async () => {
    const res = await call('GET', '/pending', { token: admin.token });
    expect(res.status).toBe(200);
    const users = res.json!.users as Record<string, unknown>[];
    expect(users.map((u) => u.email).sort()).toEqual(['new-admin@example.org', 'pat@example.org', 'quinn@example.org']);
    expect(users).toContainEqual({ email: 'pat@example.org', id: pat.id, admin: false });
  });

  it('POST /accept with a JSON email approves the user, records the admin and queues their welcome email', async () => {
    const res = await call('POST', '/accept', { token: admin.token, json: { email: 'pat@example.org' } });
    expect(res).toMatchObject({ status: 200, json: { message: 'user pat@example.org now ready for access' } });
    expect(await em().findOneOrFail(User, { id: pat.id })).toMatchObject({ status: 'ACTIVE', decidedById: admin.id });
    expect(await em().findOne(OutboxEmail, { template: 'account-approved', recipient: 'pat@example.org' })).not.toBeNull();
    // Accepting again answers the same (ServiceX's accept was idempotent), without a second email.
    expect((await call('POST', '/accept', { token: admin.token, json: { email: 'pat@example.org' } })).status).toBe(200);
    expect(await em().count(OutboxEmail, { template: 'account-approved', recipient: 'pat@example.org' })).toBe(1);
  });

  it("POST /accept takes a form body too, and answers ServiceX's 404 and 400", async () => {
    const form = await call('POST', '/accept', { token: admin.token, form: { email: 'quinn@example.org' } });
    expect(form).toMatchObject({ status: 200, json: { message: 'user quinn@example.org now ready for access' } });
    expect((await em().findOneOrFail(User, { id: quinn.id })).status).toBe('ACTIVE');
    expect(await call('POST', '/accept', { token: admin.token, json: { email: 'nobody@example.org' } })).toMatchObject({
      status: 404,
      json: { message: 'No user registered with email: nobody@example.org' },
    });
    expect(await call('POST', '/accept', { token: admin.token, json: {} })).toMatchObject({
      status: 400,
      json: { message: { email: 'This field cannot be blank' } },
    });
  });

  it('DELETE /users/<id> disables the account (nothing is deleted) and it leaves the list', async () => {
    const victim = await userWithToken(db.orm, { email: 'leaving@example.org' });
    const res = await call('DELETE', `/users/${victim.id}`, { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.json!.message).toMatch(
      new RegExp(`^user ${victim.id} has been disabled: Stagecoach never deletes accounts or their data`),
    );
    expect((await em().findOneOrFail(User, { id: victim.id })).status).toBe('DISABLED');
    // Their token stops working at once.
    expect(
      (await server.gql('{ stagingRequests(first: 1) { totalCount } }', {}, victim.token)).errors?.[0]?.extensions?.code,
    ).toBeDefined();
    const users = (await call('GET', '/users', { token: admin.token })).json!.users as { id: string }[];
    expect(users.map((u) => u.id)).not.toContain(victim.id);
    expect(await call('DELETE', `/users/${victim.id}`, { token: admin.token })).toMatchObject({
      status: 404,
      json: { message: `user ${victim.id} not found` },
    });
    expect(await call('DELETE', '/users/42', { token: admin.token })).toMatchObject({
      status: 404,
      json: { message: 'user 42 not found' },
    });
  });

  it('DELETE /users/<id> of a pending account rejects it; an admin cannot remove themselves', async () => {
    const applicant = await userWithToken(db.orm, { email: 'applicant@example.org', status: 'PENDING' });
    expect((await call('DELETE', `/users/${applicant.id}`, { token: admin.token })).status).toBe(200);
    expect((await em().findOneOrFail(User, { id: applicant.id })).status).toBe('REJECTED');
    expect(await call('DELETE', `/users/${admin.id}`, { token: admin.token })).toMatchObject({
      status: 400,
      json: { code: 'BAD_USER_INPUT' },
    });
    expect((await em().findOneOrFail(User, { id: admin.id })).status).toBe('ACTIVE');
  });

  it.each([
    ['GET', '/users'],
    ['GET', '/pending'],
    ['POST', '/accept'],
    ['DELETE', '/users/00000000-0000-4000-8000-000000000000'],
  ])(
    "%s %s answers ServiceX's 401 without a token, with a bad token, for a non-admin and for a pending or disabled admin",
    async (method, path) => {
      const json = method === 'POST' ? { email: 'alice@example.org' } : undefined;
      const anon = await call(method, path, { json });
      expect(anon).toMatchObject({ status: 401, json: { message: SERVICEX_NOT_ADMIN } });
      expect(anon.headers.get('www-authenticate')).toBe('Bearer');
      expect(await call(method, path, { json, token: 'sc_forged' })).toMatchObject({
        status: 401,
        json: { message: SERVICEX_NOT_ADMIN },
      });
      expect(await call(method, path, { json, token: alice.token })).toMatchObject({
        status: 401,
        json: { message: SERVICEX_NOT_ADMIN },
      });
      expect(await call(method, path, { json, token: pendingAdmin.token })).toMatchObject({
        status: 401,
        json: { message: SERVICEX_PENDING },
      });
      expect(await call(method, path, { json, token: disabledAdmin.token })).toMatchObject({
        status: 401,
        json: { message: SERVICEX_NOT_ADMIN },
      });
    },
  );

  it("charges accept and delete to the admin's GraphQL mutation budget (429 with Retry-After)", async () => {
    const limitedDb = await createTestDatabase();
    const limited = await startTestServer(limitedDb.orm, { RATE_LIMIT_MUTATION_BURST: '1', RATE_LIMIT_MUTATIONS: '1' });
    const boss = await userWithToken(limitedDb.orm, { email: 'boss@example.org', role: 'ADMIN' });
    await userWithToken(limitedDb.orm, { email: 'one@example.org', status: 'PENDING' });
    const two = await userWithToken(limitedDb.orm, { email: 'two@example.org', status: 'PENDING' });
    const post = (email: string) =>
      fetch(`${limited.url}/accept`, {
        method: 'POST',
        headers: { authorization: `Bearer ${boss.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      });
    expect((await post('one@example.org')).status).toBe(200);
    const refused = await post('two@example.org');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await limitedDb.orm.em.fork().findOneOrFail(User, { id: two.id })).status).toBe('PENDING');
  });

  it('answers Flask-style JSON 405s and 404s, never the web app', async () => {
    const post = await call('POST', '/users', { token: admin.token });
    expect(post).toMatchObject({ status: 405, json: { message: SERVICEX_METHOD_NOT_ALLOWED } });
    expect(post.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    // ServiceX's DELETE /users removed every account: not offered.
    expect((await call('DELETE', '/users', { token: admin.token })).status).toBe(405);
    expect((await call('GET', '/accept', { token: admin.token })).status).toBe(405);
    expect((await call('GET', `/users/${alice.id}`, { token: admin.token })).status).toBe(405);
    const deep = await call('GET', `/users/${alice.id}/tokens`, { token: admin.token });
    expect(deep).toMatchObject({ status: 404, json: { message: SERVICEX_NOT_FOUND } });
  });
});
