import fs from 'node:fs/promises';
import path from 'node:path';
import { parseCronItems } from 'graphile-worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, userWithToken, waitForRequest, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import type { Clock } from '../../lib/clock';
import { OutboxEmail } from '../mail/outbox-email.entity';
import { StagingRequest } from '../staging/staging-request.entity';
import { User } from '../users/user.entity';
import { lifecycleCronItems, runLifecycleSweep } from './lifecycle.tasks';

/** A clock the test moves by hand: the server, the worker and the sweep all read it. */
class ManualClock implements Clock {
  private t = Date.now();
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

const DAY = 86_400_000;
const clock = new ManualClock();
let db: TestDatabase;
let server: TestServer;
let archive: string;
let users: string;
type U = { id: string; email: string; token: string };
let alice: U;
let bob: U;
let carol: U;
let admin: U;

const STAGE = `mutation($input: StageInput!) { stage(input: $input) { id status } }`;
const REQUEST = `query($id: ID!) { stagingRequest(id: $id) { id status finishedAt expiresAt expired expiredAt expiryReason } }`;

interface RequestView {
  id: string;
  status: string;
  finishedAt: string;
  expiresAt: string | null;
  expired: boolean;
  expiredAt: string | null;
  expiryReason: string | null;
}

async function stageAndWait(user: U, items: { source: string; target?: string }[], method = 'LOCAL_COPY'): Promise<RequestView> {
  const res = await server.gql<{ stage: { id: string } }>(STAGE, { input: { method, items } }, user.token);
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  await waitForRequest(server, user.token, res.data.stage.id);
  // The expiry is set by a hook right after the request closes: wait for it too.
  for (let i = 0; ; i++) {
    const v = await view(user, res.data.stage.id);
    if (v.expiresAt || i > 100) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function view(user: U, id: string): Promise<RequestView> {
  const res = await server.gql<{ stagingRequest: RequestView }>(REQUEST, { id }, user.token);
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.stagingRequest;
}

const exists = (p: string) => fs.lstat(p).then(() => true, () => false);

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm, { RETENTION_DEFAULT: 'P3D', EXPIRY_WARNING: 'P1D', EXTEND_MAX: 'P5D', QUOTA_BYTES_PER_SITE: '5000000' }, { dbUrl: db.url, clock });
  archive = path.join(server.dataDir, 'sites', 'archive');
  users = path.join(server.dataDir, 'sites', 'users');
  alice = await userWithToken(db.orm, { email: 'alice@example.org' });
  bob = await userWithToken(db.orm, { email: 'bob@example.org' });
  carol = await userWithToken(db.orm, { email: 'carol@example.org' });
  admin = await userWithToken(db.orm, { email: 'root@example.org', role: 'ADMIN' });
  await fs.mkdir(path.join(archive, 'run'), { recursive: true });
  await fs.writeFile(path.join(archive, 'run', 'a.bin'), Buffer.alloc(1000, 'a'));
  await fs.writeFile(path.join(archive, 'run', 'b.bin'), Buffer.alloc(2000, 'b'));
  await fs.writeFile(path.join(archive, 'big.bin'), Buffer.alloc(3_000_000, 'g'));
});

describe('expiry', () => {
  it('gives finished results the site retention, warns the owner before, then removes the data and marks the request', async () => {
    const r = await stageAndWait(alice, [{ source: 'run', target: 'keep/run' }]);
    expect(r.status).toBe('SUCCEEDED');
    expect(Date.parse(r.expiresAt!) - Date.parse(r.finishedAt)).toBe(3 * DAY);
    expect(r.expired).toBe(false);
    const a = path.join(users, 'alice', 'keep', 'run', 'a.bin');
    expect(await exists(a)).toBe(true);
    // A file the user put beside the staged ones is theirs: expiry leaves it (and its folder).
    await fs.writeFile(path.join(users, 'alice', 'keep', 'notes.txt'), 'mine');

    // Nothing is due yet.
    expect(await runLifecycleSweep(server.container)).toEqual({ expired: 0, warned: 0 });

    // Inside the warning window (EXPIRY_WARNING = 1 day): one email, once.
    clock.advance(2.5 * DAY);
    expect(await runLifecycleSweep(server.container)).toEqual({ expired: 0, warned: 1 });
    expect(await runLifecycleSweep(server.container)).toEqual({ expired: 0, warned: 0 });
    const mail = await db.orm.em.fork().findOneOrFail(OutboxEmail, { template: 'request-expiring' });
    expect(mail.recipient).toBe('alice@example.org');
    expect(mail.text).toContain(r.id);
    expect(mail.text).toContain(r.expiresAt!);

    // Past the expiry: the data goes, the request says so, and the log tells why.
    clock.advance(DAY);
    expect(await runLifecycleSweep(server.container)).toEqual({ expired: 1, warned: 0 });
    expect(await exists(a)).toBe(false);
    expect(await exists(path.join(users, 'alice', 'keep', 'run'))).toBe(false);
    expect(await fs.readFile(path.join(users, 'alice', 'keep', 'notes.txt'), 'utf8')).toBe('mine');
    const after = await view(alice, r.id);
    expect(after).toMatchObject({ status: 'SUCCEEDED', expired: true, expiryReason: 'EXPIRED', expiredAt: clock.now().toISOString() });
    const logs = await server.gql<{ logs: { message: string }[] }>(`query($id: ID) { logs(requestId: $id) { message } }`, { id: r.id }, alice.token);
    expect(logs.data!.logs.at(-1)!.message).toBe('request expired: 2 file(s) removed (2.9 KiB)');
    // A second sweep finds nothing more to do.
    expect(await runLifecycleSweep(server.container)).toEqual({ expired: 0, warned: 0 });
  });

  it('leaves a staged file the user edited in place with the same size', async () => {
    const r = await stageAndWait(bob, [{ source: 'run/a.bin', target: 'edited/a.bin' }, { source: 'run/b.bin', target: 'edited/b.bin' }]);
    expect(r.status).toBe('SUCCEEDED');
    const a = path.join(users, 'bob', 'edited', 'a.bin');
    await fs.chmod(a, 0o644);
    await new Promise((res) => setTimeout(res, 20)); // a later mtime even on coarse clocks
    await fs.writeFile(a, Buffer.alloc(1000, 'z')); // same size, the user's content
    clock.advance(4 * DAY);
    await runLifecycleSweep(server.container);
    expect(await view(bob, r.id)).toMatchObject({ expired: true, expiryReason: 'EXPIRED' });
    expect(await fs.readFile(a)).toEqual(Buffer.alloc(1000, 'z'));
    expect(await exists(path.join(users, 'bob', 'edited', 'b.bin'))).toBe(false);
  });

  it('leaves an identical file the user put back after its staged copy expired, even when a later request skipped it', async () => {
    const first = await stageAndWait(bob, [{ source: 'run/a.bin', target: 'again/a.bin' }]);
    clock.advance(4 * DAY);
    await runLifecycleSweep(server.container);
    expect(await view(bob, first.id)).toMatchObject({ expired: true });
    const a = path.join(users, 'bob', 'again', 'a.bin');
    expect(await exists(a)).toBe(false);
    // The user makes the same file themselves; staging it again skips it (already identical).
    await fs.mkdir(path.dirname(a), { recursive: true });
    await fs.writeFile(a, Buffer.alloc(1000, 'a'));
    const second = await stageAndWait(bob, [{ source: 'run/a.bin', target: 'again/a.bin' }]);
    const files = await server.gql<{ stagingRequest: { filesSkipped: number } }>(`query($id: ID!) { stagingRequest(id: $id) { filesSkipped } }`, { id: second.id }, bob.token);
    expect(files.data!.stagingRequest.filesSkipped).toBe(1);
    clock.advance(4 * DAY);
    await runLifecycleSweep(server.container);
    expect(await view(bob, second.id)).toMatchObject({ expired: true });
    expect(await fs.readFile(a)).toEqual(Buffer.alloc(1000, 'a'));
  });

  it('gives an expiry to a finished request whose finished hook never ran (a crash right after it closed)', async () => {
    const em = db.orm.em.fork();
    const finishedAt = clock.now();
    const r = em.create(StagingRequest, { owner: em.getReference(User, alice.id), method: 'LOCAL_COPY', status: 'SUCCEEDED', sourceSiteId: 'archive', targetSiteId: 'users', filesTotal: 1, filesDone: 1, createdAt: finishedAt, finishedAt });
    await em.flush();
    await runLifecycleSweep(server.container);
    const after = await db.orm.em.fork().findOneOrFail(StagingRequest, { id: r.id });
    expect(after.expiresAt?.getTime()).toBe(finishedAt.getTime() + 3 * DAY);
    expect(after.expiredAt).toBeNull();
  });

  it('revokes the download links of an expired DIRECT_DOWNLOAD request', async () => {
    const r = await stageAndWait(bob, [{ source: 'run/a.bin' }], 'DIRECT_DOWNLOAD');
    const q = await server.gql<{ stagingRequest: { downloadUrl: string } }>(`query($id: ID!) { stagingRequest(id: $id) { downloadUrl } }`, { id: r.id }, bob.token);
    const url = q.data!.stagingRequest.downloadUrl;
    expect((await fetch(url)).status).toBe(200);
    clock.advance(8 * DAY); // DOWNLOAD_LINK_TTL defaults to 7 days
    await runLifecycleSweep(server.container);
    expect(await view(bob, r.id)).toMatchObject({ expired: true, expiryReason: 'EXPIRED' });
    // Revoked, not just timed out: a link with the old version and a future expiry no longer works.
    const stale = server.container.links.url({ r: r.id, v: 1, e: Math.floor(clock.now().getTime() / 1000) + 3600 });
    expect((await fetch(stale)).status).toBe(410);
    const q2 = await server.gql<{ stagingRequest: { downloadUrl: string | null } }>(`query($id: ID!) { stagingRequest(id: $id) { downloadUrl } }`, { id: r.id }, bob.token);
    expect(q2.data!.stagingRequest.downloadUrl).toBeNull();
  });
});

describe('extendStagingRequest', () => {
  const EXTEND = `mutation($id: ID!, $days: Int!) { extendStagingRequest(id: $id, days: $days) { id expiresAt } }`;

  it('lets the owner extend up to EXTEND_MAX beyond the original expiry, admins further, others not at all', async () => {
    const r = await stageAndWait(alice, [{ source: 'run/a.bin', target: 'ext/a.bin' }]);
    const original = Date.parse(r.expiresAt!);
    const ok = await server.gql<{ extendStagingRequest: { expiresAt: string } }>(EXTEND, { id: r.id, days: 4 }, alice.token);
    expect(Date.parse(ok.data!.extendStagingRequest.expiresAt)).toBe(original + 4 * DAY);

    const tooFar = await server.gql(EXTEND, { id: r.id, days: 2 }, alice.token);
    expect(tooFar.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', maxExpiresAt: new Date(original + 5 * DAY).toISOString() });

    expect((await server.gql(EXTEND, { id: r.id, days: 1 }, bob.token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const byAdmin = await server.gql<{ extendStagingRequest: { expiresAt: string } }>(EXTEND, { id: r.id, days: 30 }, admin.token);
    expect(Date.parse(byAdmin.data!.extendStagingRequest.expiresAt)).toBe(original + 34 * DAY);
    expect((await server.gql(EXTEND, { id: r.id, days: 0 }, alice.token)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses to extend or retry a request whose results are gone', async () => {
    const r = await stageAndWait(alice, [{ source: 'run/b.bin', target: 'gone/b.bin' }]);
    clock.advance(4 * DAY);
    await runLifecycleSweep(server.container);
    const res = await server.gql(EXTEND, { id: r.id, days: 1 }, alice.token);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/already removed/);
    const retry = await server.gql(`mutation($id: ID!) { retryStagingRequest(id: $id) { id } }`, { id: r.id }, alice.token);
    expect(retry.errors?.[0]?.message).toMatch(/results of this request were removed/);
  });
});

describe('quotas', () => {
  const SET = `mutation($userId: ID!, $siteId: ID, $maxBytes: Float, $maxActiveRequests: Int) {
    setUserQuota(userId: $userId, siteId: $siteId, maxBytes: $maxBytes, maxActiveRequests: $maxActiveRequests) { activeRequests maxActiveRequests sites { siteId usedBytes maxBytes } } }`;

  it('rejects stage before queuing with QUOTA_EXCEEDED and the used/limit numbers (QUOTA_BYTES_PER_SITE)', async () => {
    const first = await stageAndWait(carol, [{ source: 'big.bin', target: 'q/one.bin' }]);
    expect(first.status).toBe('SUCCEEDED');
    const before = await db.orm.em.fork().count(StagingRequest, { owner: carol.id });
    const res = await server.gql(STAGE, { input: { method: 'LOCAL_COPY', items: [{ source: 'big.bin', target: 'q/two.bin' }] } }, carol.token);
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'QUOTA_EXCEEDED', quota: 'BYTES', siteId: 'users', used: 3_000_000, limit: 5_000_000, requested: 3_000_000 });
    expect(res.errors?.[0]?.message).toMatch(/needs 2\.9 MiB on site "users", where you already hold 2\.9 MiB of your 4\.8 MiB/);
    expect(await db.orm.em.fork().count(StagingRequest, { owner: carol.id })).toBe(before);
    // Links take no space of their own: they are not counted.
    const link = await server.gql<{ stage: { id: string } }>(STAGE, { input: { method: 'LOCAL_SYMLINK', items: [{ source: 'big.bin', target: 'q/link.bin' }] } }, carol.token);
    expect(link.errors).toBeUndefined();
    await waitForRequest(server, carol.token, link.data!.stage.id);
  });

  it('shows usage on me.quota and lets an admin override the limits', async () => {
    const me = await server.gql<{ me: { quota: { sites: { siteId: string; usedBytes: number; maxBytes: number }[] } } }>(`{ me { quota { activeRequests maxActiveRequests sites { siteId usedBytes maxBytes } } } }`, undefined, carol.token);
    expect(me.data!.me.quota.sites).toEqual([{ siteId: 'users', usedBytes: 3_000_000, maxBytes: 5_000_000 }]);

    expect((await server.gql(SET, { userId: carol.id, siteId: 'users', maxBytes: 1e7 }, carol.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const raised = await server.gql<{ setUserQuota: { sites: { maxBytes: number }[] } }>(SET, { userId: carol.id, siteId: 'users', maxBytes: 1e7 }, admin.token);
    expect(raised.data!.setUserQuota.sites[0]!.maxBytes).toBe(1e7);
    const ok = await server.gql<{ stage: { id: string } }>(STAGE, { input: { method: 'LOCAL_COPY', items: [{ source: 'big.bin', target: 'q/two.bin' }] } }, carol.token);
    expect(ok.errors).toBeUndefined();
    await waitForRequest(server, carol.token, ok.data!.stage.id);

    // At most 0 active requests: every new one is refused, with the numbers.
    await server.gql(SET, { userId: carol.id, maxActiveRequests: 0 }, admin.token);
    const refused = await server.gql(STAGE, { input: { method: 'LOCAL_SYMLINK', items: [{ source: 'run/a.bin', target: 'q/a.bin' }] } }, carol.token);
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'QUOTA_EXCEEDED', quota: 'ACTIVE_REQUESTS', used: 0, limit: 0, requested: 1 });

    // Admins see everyone's quota.
    const other = await server.gql<{ users: { email: string; quota: unknown }[] }>(`{ users { email quota { activeRequests } } }`, undefined, admin.token);
    expect(other.data!.users.find((u) => u.email === 'carol@example.org')!.quota).toEqual({ activeRequests: 0 });
  });

  it('frees quota when results expire', async () => {
    await server.gql(SET, { userId: carol.id, maxActiveRequests: null }, admin.token);
    clock.advance(40 * DAY);
    // Tokens expire after 30 days of the test clock; the sweep does not need one.
    await runLifecycleSweep(server.container);
    const { QuotaService } = await import('../quotas/quota.service');
    expect(await new QuotaService(db.orm.em.fork(), server.container).bytesHeld(carol.id, 'users')).toBe(0);
  });
});

describe('the sweep schedule', () => {
  it('parses LIFECYCLE_SWEEP_CRON into a graphile-worker cron item', () => {
    const [item] = lifecycleCronItems(server.config);
    expect(item).toMatchObject({ task: 'lifecycle_sweep', identifier: 'lifecycle_sweep' });
    expect(() => parseCronItems([{ task: 'x', match: 'not a cron' }])).toThrow();
  });
});
