import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startDcachePeer, startRucioPeer, type DcachePeer, type RucioPeer } from '@stagecoach/test-peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { startTestServer, userWithToken, waitForRequest, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { OutboxEmail } from '../mail/outbox-email.entity';
import { StagedFile } from '../staging/staged-file.entity';
import { StagingRequest } from '../staging/staging-request.entity';
import { STAGE_BATCH } from '../staging/stage-commits';
import { createStageBatchTask } from '../staging/staging.worker';
import { User } from '../users/user.entity';
import { RemoteOperation } from '../methods/remote-operation.entity';
import { RequestMacaroon } from './request-macaroon.entity';
import { TapeRestClient } from './tape-rest.client';

const SURF_ROOT = '/pnfs/grid.sara.nl/data/lofar/ops/projects';
const JUELICH_ROOT = '/pnfs/fz-juelich.de/data/lofar/ops/projects';
const surl = (p: string) => `srm://srm.grid.sara.nl:8443${p}`;
const jurl = (p: string) => `srm://lofar-srm.fz-juelich.de:8443/srm/managerv2?SFN=${p}`;

let db: TestDatabase;
let server: TestServer;
let surf: DcachePeer;
let juelich: DcachePeer;
let rucio: RucioPeer;
let alice: { id: string; email: string; token: string };
let bob: { id: string; email: string; token: string };
let admin: { id: string; email: string; token: string };

const STAGE = `mutation($input: StageInput!) { stage(input: $input) { id status filesTotal } }`;
const FILES = `query($id: ID!) { stagingRequest(id: $id) { status files { nodes { source target status accessUrl bytesDone sizeBytes error { code message } } } macaroons { site siteName rootPath validUntil token } } }`;

interface FileView {
  source: string;
  target: string;
  status: string;
  accessUrl: string | null;
  bytesDone: number;
  sizeBytes: number | null;
  error: { code: string; message: string } | null;
}
interface RequestView {
  status: string;
  files: { nodes: FileView[] };
  macaroons: { site: string; siteName: string; rootPath: string; validUntil: string; token: string }[];
}

async function view(id: string, token = alice.token): Promise<RequestView> {
  const res = await server.gql<{ stagingRequest: RequestView }>(FILES, { id }, token);
  if (!res.data?.stagingRequest) throw new Error(JSON.stringify(res.errors));
  return res.data.stagingRequest;
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

const fileStatus = async (id: string, source: string) => (await view(id)).files.nodes.find((f) => f.source === source)?.status;

/** GET with the raw path (no client-side `..` normalisation), as an attacker would send it. */
function rawGet(base: string, rawPath: string, token: string): Promise<number> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: rawPath, method: 'GET', headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  surf = await startDcachePeer({
    user: 'stagecoach',
    password: 'surf-secret',
    files: {
      [`${SURF_ROOT}/lc0_012/L1/a.tar`]: 'surf file a',
      [`${SURF_ROOT}/lc0_012/L1/b.tar`]: 'surf file b',
      [`${SURF_ROOT}/lc0_012/L2/h.tar`]: 'surf file h',
      [`${SURF_ROOT}/lc0_015/k.tar`]: 'surf file k',
      [`${SURF_ROOT}/lc0_017/p.tar`]: 'surf file p',
      [`${SURF_ROOT}/lc0_016/m/n.tar`]: 'surf file n',
      [`${SURF_ROOT}/lc0_013/c.tar`]: 'surf file c',
      [`${SURF_ROOT}/lc0_013/d.tar`]: 'surf file d',
      [`${SURF_ROOT}/lc0_014/e.tar`]: 'surf file e',
      [`${SURF_ROOT}/lc0_014/f.tar`]: 'surf file f',
      [`${SURF_ROOT}/lc0_014/g.tar`]: 'surf file g',
      '/pnfs/grid.sara.nl/data/lofar/private/secret.dat': 'not for macaroon holders',
    },
  });
  juelich = await startDcachePeer({ user: 'stagecoach', password: 'fzj-secret', files: { [`${JUELICH_ROOT}/lc0_012/j.tar`]: 'juelich file' } });
  rucio = await startRucioPeer({
    account: 'stagecoach',
    username: 'sc',
    password: 'rucio-secret',
    dids: { 'lofar:L100.tar': { bytes: 4000, files: 4 }, 'lofar:L200.tar': { bytes: 10, files: 1 } },
  });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sc-dcache-sites-'));
  await fs.mkdir(path.join(dir, 'archive'));
  await fs.mkdir(path.join(dir, 'users'));
  await fs.writeFile(path.join(dir, 'surf.cred'), 'stagecoach:surf-secret');
  await fs.writeFile(path.join(dir, 'fzj.cred'), 'stagecoach:fzj-secret\n');
  await fs.writeFile(path.join(dir, 'rucio.cred'), 'sc:rucio-secret');
  const sites = {
    sites: [
      { id: 'archive', kind: 'POSIX', root: 'archive', roles: ['source'], default: true },
      { id: 'users', kind: 'POSIX', root: 'users', roles: ['target'] },
      {
        id: 'surf',
        name: 'SURF',
        kind: 'WEBDAV',
        urlPattern: 'srm://srm\\.grid\\.sara\\.nl(:8443)?/pnfs/grid\\.sara\\.nl/data/lofar/',
        webdavUrl: surf.doorUrl,
        tapeRestUrl: surf.tapeUrl,
        credentialsFile: 'surf.cred',
        rootCaveatPath: SURF_ROOT,
        skipMacaroonForUsers: ['ldv'],
        pollMinMs: 20,
        pollMaxMs: 100,
      },
      {
        id: 'juelich',
        name: 'Jülich',
        kind: 'WEBDAV',
        urlPattern: 'srm://lofar-srm\\.fz-juelich\\.de(:8443)?/',
        webdavUrl: juelich.doorUrl,
        tapeRestUrl: juelich.tapeUrl,
        credentialsFile: 'fzj.cred',
        rootCaveatPath: JUELICH_ROOT,
        macaroonValidity: 'P3D',
        pollMinMs: 20,
        pollMaxMs: 100,
      },
      { id: 'rucio', name: 'Rucio', kind: 'RUCIO', serverUrl: rucio.url, account: 'stagecoach', credentialsFile: 'rucio.cred', rseExpression: 'SURF_DISK', pollMinMs: 20, pollMaxMs: 100 },
    ],
  };
  await fs.writeFile(path.join(dir, 'sites.yaml'), YAML.stringify(sites));
  server = await startTestServer(db.orm, { SITES_FILE: path.join(dir, 'sites.yaml') }, { dbUrl: db.url });
  alice = await userWithToken(db.orm, { email: 'alice@example.org' });
  bob = await userWithToken(db.orm, { email: 'bob@example.org' });
  admin = await userWithToken(db.orm, { email: 'root@example.org', role: 'ADMIN' });
});

afterAll(async () => {
  await Promise.all([surf?.close(), juelich?.close(), rucio?.close()]);
});

describe('DCACHE_STAGE', () => {
  it('is offered once dCache sites are configured', async () => {
    const res = await server.gql<{ stagingMethods: { method: string }[] }>('{ stagingMethods { method } }');
    expect(res.data!.stagingMethods.map((m) => m.method)).toEqual(expect.arrayContaining(['DCACHE_STAGE', 'RUCIO_COPY']));
  });

  it('rejects a request naming a URL that matches no site, listing it, and queues nothing', async () => {
    const before = await db.orm.em.fork().count(StagingRequest, {});
    const unknown = 'srm://srm.example.org:8443/pnfs/example.org/data/x.tar';
    const res = await server.gql(STAGE, { input: { method: 'DCACHE_STAGE', items: [{ source: surl(`${SURF_ROOT}/lc0_012/L1/a.tar`) }, { source: jurl(`${JUELICH_ROOT}/lc0_012/j.tar`) }, { source: unknown }] } }, alice.token);
    expect(res.errors?.[0]?.extensions?.code).toBe('SOURCE_NOT_FOUND');
    expect(res.errors?.[0]?.message).toContain(unknown);
    expect(res.errors?.[0]?.extensions?.items).toEqual([expect.objectContaining({ index: 2, source: unknown, code: 'SOURCE_NOT_FOUND' })]);
    expect(await db.orm.em.fork().count(StagingRequest, {})).toBe(before);
    // A relative path (POSIX-style) and a SURL outside the root caveat are not routable either.
    const rel = await server.gql(STAGE, { input: { method: 'DCACHE_STAGE', items: [{ source: 'sandbox/a.txt' }, { source: surl('/pnfs/grid.sara.nl/data/lofar/private/secret.dat') }] } }, alice.token);
    expect((rel.errors?.[0]?.extensions?.items as { index: number }[]).map((i) => i.index)).toEqual([0, 1]);
  });

  it('brings files online per site as the tape peer reports, with one macaroon per site that reads inside its root only', async () => {
    const a = `${SURF_ROOT}/lc0_012/L1/a.tar`;
    const b = `${SURF_ROOT}/lc0_012/L1/b.tar`;
    const j = `${JUELICH_ROOT}/lc0_012/j.tar`;
    const started = Date.now();
    const res = await server.gql<{ stage: { id: string; filesTotal: number } }>(STAGE, { input: { method: 'DCACHE_STAGE', notify: true, items: [{ source: surl(a) }, { source: surl(b) }, { source: jurl(j) }] } }, alice.token);
    expect(res.errors).toBeUndefined();
    const id = res.data!.stage.id;
    expect(res.data!.stage.filesTotal).toBe(3);

    // One tape request per site, each with exactly that site's files and the pin lifetime.
    await until('tape requests', async () => surf.requests.size >= 1 && juelich.requests.size >= 1);
    const surfReq = [...surf.requests.values()].find((r) => r.files.some((f) => f.path === a))!;
    expect(surfReq.files.map((f) => f.path).sort()).toEqual([a, b]);
    expect(surfReq.diskLifetimes).toEqual(['P7D', 'P7D']);
    expect([...juelich.requests.values()].map((r) => r.files.map((f) => f.path))).toEqual([[j]]);

    expect((await view(id)).files.nodes.map((f) => f.status)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    surf.setState(a, 'STARTED');
    await until('a RUNNING', async () => (await fileStatus(id, surl(a))) === 'RUNNING');
    surf.setState(a, 'COMPLETED');
    await until('a DONE', async () => (await fileStatus(id, surl(a))) === 'DONE');
    expect(await fileStatus(id, surl(b))).toBe('PENDING');
    // The site's macaroon comes with its first online file: b still on tape does not hold it back.
    await until('SURF macaroon', async () => (await view(id)).macaroons.some((m) => m.site === 'surf'));
    expect(surf.minted).toHaveLength(1);
    surf.setState(b, 'COMPLETED');
    juelich.setState(j, 'COMPLETED');
    const done = await waitForRequest<{ status: string; filesDone: number }>(server, alice.token, id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', filesDone: 3 });

    // Exactly one macaroon per site, rooted at the project folder, limited to the files' common folder, with the site's validity.
    expect(surf.minted.map((m) => ({ caveats: m.caveats, validity: m.validity }))).toEqual([{ caveats: ['activity:DOWNLOAD,READ_METADATA', `root:${SURF_ROOT}/lc0_012`, 'path:/L1'], validity: 'P6D' }]);
    expect(juelich.minted.map((m) => m.caveats.slice(1))).toEqual([[`root:${JUELICH_ROOT}/lc0_012`]]);
    expect(juelich.minted[0]!.validity).toBe('P3D');
    const r = await view(id);
    expect(r.macaroons.map((m) => [m.site, m.siteName, m.rootPath])).toEqual([
      ['juelich', 'Jülich', `${JUELICH_ROOT}/lc0_012`],
      ['surf', 'SURF', `${SURF_ROOT}/lc0_012`],
    ]);
    const surfMac = r.macaroons.find((m) => m.site === 'surf')!;
    expect(surfMac.token).toBe(surf.minted[0]!.token);
    const sixDays = 6 * 24 * 3600_000;
    expect(Date.parse(surfMac.validUntil)).toBeGreaterThanOrEqual(started + sixDays - 1000);
    expect(Date.parse(surfMac.validUntil)).toBeLessThanOrEqual(Date.now() + sixDays + 1000);
    expect(Date.parse(r.macaroons.find((m) => m.site === 'juelich')!.validUntil)).toBeLessThan(started + 4 * 24 * 3600_000);

    // The WebDAV URL + the macaroon read the file through the peer.
    const fa = r.files.nodes.find((f) => f.source === surl(a))!;
    expect(fa.accessUrl).toBe(`${surf.doorUrl}/L1/a.tar`);
    const got = await fetch(fa.accessUrl!, { headers: { authorization: `Bearer ${surfMac.token}` } });
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('surf file a');
    // Outside the root caveat the peer refuses; without or with another site's macaroon too.
    expect(await rawGet(surf.doorUrl, '/../private/secret.dat', surfMac.token)).toBe(403);
    expect(await rawGet(surf.doorUrl, '/%2E%2E/private/secret.dat', surfMac.token)).toBe(403);
    // Another project of the same site, and an unrequested folder of the same project, are out of reach.
    expect(await rawGet(surf.doorUrl, '/lc0_013/c.tar', surfMac.token)).toBe(403);
    expect(await rawGet(surf.doorUrl, '/../lc0_013/c.tar', surfMac.token)).toBe(403);
    expect(await rawGet(surf.doorUrl, '/L2/h.tar', surfMac.token)).toBe(403);
    expect((await fetch(fa.accessUrl!)).status).toBe(401);
    expect((await fetch(fa.accessUrl!, { headers: { authorization: `Bearer ${r.macaroons.find((m) => m.site === 'juelich')!.token}` } })).status).toBe(401);
    // DOWNLOAD, not UPLOAD.
    expect((await fetch(`${surf.doorUrl}/L1/new.tar`, { method: 'PUT', body: 'x', headers: { authorization: `Bearer ${surfMac.token}` } })).status).toBe(403);

    // Owner only: another user cannot see the request, an admin sees it without macaroons.
    expect((await server.gql(FILES, { id }, bob.token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await view(id, admin.token)).macaroons).toEqual([]);
    // Encrypted at rest: the stored value is not the token.
    const rows = await db.orm.em.fork().find(RequestMacaroon, { request: id });
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.tokenSealed).not.toContain(surfMac.token.slice(0, 20));

    // The finished email lists the online files and how to use the macaroon, without the macaroon itself.
    const mail = await until('request-finished email', async () => db.orm.em.fork().findOne(OutboxEmail, { template: 'request-finished', dedupeKey: `request-finished:${id}` }));
    expect(mail.text).toContain('Online (3):');
    expect(mail.text).toContain(fa.accessUrl!);
    expect(mail.text).toMatch(/curl -H "Authorization: Bearer \$MACAROON"/);
    expect(mail.text).not.toContain(surfMac.token);

    // The log says what happened per site.
    const logs = await server.gql<{ logs: { message: string }[] }>(`query($id: ID) { logs(requestId: $id) { message } }`, { id }, alice.token);
    expect(logs.data!.logs.map((l) => l.message).join('\n')).toMatch(/SURF: macaroon issued for \/pnfs\/grid\.sara\.nl\/data\/lofar\/ops\/projects\/lc0_012 \(limited to \/L1\)/);
  });

  it('a request spanning two projects gets one macaroon per project, each reading its own files only', async () => {
    const k = `${SURF_ROOT}/lc0_015/k.tar`;
    const n = `${SURF_ROOT}/lc0_016/m/n.tar`;
    const res = await server.gql<{ stage: { id: string } }>(STAGE, { input: { method: 'DCACHE_STAGE', items: [{ source: surl(k) }, { source: surl(n) }] } }, alice.token);
    const id = res.data!.stage.id;
    await until('tape request', async () => [...surf.requests.values()].find((r) => r.files.some((f) => f.path === k)));
    surf.setState(k, 'COMPLETED');
    surf.setState(n, 'COMPLETED');
    expect((await waitForRequest(server, alice.token, id)).status).toBe('SUCCEEDED');
    const r = await view(id);
    expect(r.macaroons.map((m) => m.rootPath)).toEqual([`${SURF_ROOT}/lc0_015`, `${SURF_ROOT}/lc0_016`]);
    const [mk, mn] = r.macaroons;
    const urlOf = (src: string) => r.files.nodes.find((f) => f.source === surl(src))!.accessUrl!;
    expect(urlOf(n)).toBe(`${surf.doorUrl}/m/n.tar`);
    expect((await fetch(urlOf(k), { headers: { authorization: `Bearer ${mk!.token}` } })).status).toBe(200);
    expect((await fetch(urlOf(n), { headers: { authorization: `Bearer ${mn!.token}` } })).status).toBe(200);
    // Each project's macaroon is useless for the other project and for a project nobody asked for.
    expect(await rawGet(surf.doorUrl, '/m/n.tar', mk!.token)).not.toBe(200);
    expect(await rawGet(surf.doorUrl, '/k.tar', mn!.token)).not.toBe(200);
    expect(await rawGet(surf.doorUrl, '/../lc0_012/L1/a.tar', mk!.token)).toBe(403);
    expect(await rawGet(surf.doorUrl, '/lc0_012/L1/a.tar', mn!.token)).toBe(403);
  });

  it('expires with the pin lifetime, and expiry releases the pins and deletes the tape request at the site', async () => {
    const p = `${SURF_ROOT}/lc0_017/p.tar`;
    const res = await server.gql<{ stage: { id: string } }>(STAGE, { input: { method: 'DCACHE_STAGE', items: [{ source: surl(p) }] } }, alice.token);
    const id = res.data!.stage.id;
    const tapeReq = await until('tape request', async () => [...surf.requests.values()].find((r) => r.files.some((f) => f.path === p)));
    surf.setState(p, 'COMPLETED');
    expect((await waitForRequest(server, alice.token, id)).status).toBe('SUCCEEDED');
    const done = await until('expiry set', async () => {
      const r = await db.orm.em.fork().findOneOrFail(StagingRequest, { id });
      return r.expiresAt && r;
    });
    // SURF's pin lifetime is the default P7D.
    expect(done.expiresAt!.getTime() - done.finishedAt!.getTime()).toBe(7 * 24 * 3600_000);
    expect(surf.calls.some((x) => x.path === `/api/v1/tape/release/${tapeReq.id}`)).toBe(false);

    await db.orm.em.fork().nativeUpdate(StagingRequest, { id }, { expiresAt: new Date(Date.now() - 1000) });
    const expired = await server.container.services(db.orm.em.fork()).lifecycle.expireDue();
    expect(expired.map((e) => e.requestId)).toContain(id);
    expect(surf.calls.filter((x) => x.path === `/api/v1/tape/release/${tapeReq.id}`)).toEqual([{ method: 'POST', path: `/api/v1/tape/release/${tapeReq.id}`, body: { paths: [p] } }]);
    expect(surf.calls.filter((x) => x.method === 'DELETE' && x.path === `/api/v1/tape/stage/${tapeReq.id}`)).toHaveLength(1);
    expect(surf.requests.has(tapeReq.id)).toBe(false);
    expect((await db.orm.em.fork().findOneOrFail(RemoteOperation, { remoteId: tapeReq.id })).releasedAt).not.toBeNull();
    // A second sweep (or a deletion afterwards) does not call the site again.
    await server.container.services(db.orm.em.fork()).lifecycle.removeData(id, 'DELETED');
    expect(surf.calls.filter((x) => x.path === `/api/v1/tape/release/${tapeReq.id}`)).toHaveLength(1);
  });

  it('a job that runs twice follows the stored tape request and macaroon instead of submitting again', async () => {
    const e = `${SURF_ROOT}/lc0_014/e.tar`;
    const res = await server.gql<{ stage: { id: string } }>(STAGE, { input: { method: 'DCACHE_STAGE', items: [{ source: surl(e) }] } }, alice.token);
    const id = res.data!.stage.id;
    await until('tape request', async () => [...surf.requests.values()].find((r) => r.files.some((f) => f.path === e)));
    const submitted = surf.calls.filter((x) => x.method === 'POST' && x.path === '/api/v1/tape/stage').length;
    const mintedBefore = surf.minted.length;
    // The same job again, as graphile-worker would run it after a crash.
    const file = (await db.orm.em.fork().find(StagedFile, { request: id }))[0]!;
    const again = createStageBatchTask(server.container)[STAGE_BATCH.task]!({ requestId: id, fileIds: [file.id] }, { logger: { error: () => undefined }, job: { locked_by: 'duplicate' } } as never);
    await new Promise((r) => setTimeout(r, 200));
    surf.setState(e, 'COMPLETED');
    await again;
    expect((await waitForRequest(server, alice.token, id)).status).toBe('SUCCEEDED');
    expect(surf.calls.filter((x) => x.method === 'POST' && x.path === '/api/v1/tape/stage').length).toBe(submitted);
    expect(surf.minted.length).toBe(mintedBefore + 1);
    expect(await db.orm.em.fork().count(RequestMacaroon, { request: id })).toBe(1);
  });

  it('issues no macaroon for a service account the site lists (StageIT skips its admin account)', async () => {
    const ldv = await userWithToken(db.orm, { email: 'ldv@example.org' });
    const g = `${SURF_ROOT}/lc0_014/g.tar`;
    const res = await server.gql<{ stage: { id: string } }>(STAGE, { input: { method: 'DCACHE_STAGE', items: [{ source: surl(g) }] } }, ldv.token);
    const id = res.data!.stage.id;
    await until('tape request', async () => [...surf.requests.values()].find((r) => r.files.some((f) => f.path === g)));
    const minted = surf.minted.length;
    surf.setState(g, 'COMPLETED');
    expect((await waitForRequest(server, ldv.token, id)).status).toBe('SUCCEEDED');
    const r = await view(id, ldv.token);
    expect(r.macaroons).toEqual([]);
    expect(surf.minted.length).toBe(minted);
    // Without a macaroon the URL is the full namespace path (read with the account's own credentials).
    expect(r.files.nodes[0]!.accessUrl).toBe(`${surf.doorUrl}${g}`);
  });

  it('cancelling mid-way cancels the tape request at the peer', async () => {
    const c = `${SURF_ROOT}/lc0_013/c.tar`;
    const d = `${SURF_ROOT}/lc0_013/d.tar`;
    const res = await server.gql<{ stage: { id: string } }>(STAGE, { input: { method: 'DCACHE_STAGE', items: [{ source: surl(c) }, { source: surl(d) }] } }, alice.token);
    const id = res.data!.stage.id;
    const tapeReq = await until('tape request', async () => [...surf.requests.values()].find((r) => r.files.some((f) => f.path === c)));
    surf.setState(c, 'STARTED');
    await until('c RUNNING', async () => (await fileStatus(id, surl(c))) === 'RUNNING');
    const cancel = await server.gql<{ cancelStagingRequest: { status: string } }>(`mutation($id: ID!) { cancelStagingRequest(id: $id) { status } }`, { id }, alice.token);
    expect(cancel.data!.cancelStagingRequest.status).toBe('CANCELLED');
    await until('cancel at the peer', async () => surf.calls.some((x) => x.method === 'POST' && x.path === `/api/v1/tape/stage/${tapeReq.id}/cancel`));
    await until('release at the peer', async () => surf.calls.some((x) => x.method === 'POST' && x.path === `/api/v1/tape/release/${tapeReq.id}`));
    expect(tapeReq.files.map((f) => f.state)).toEqual(['CANCELLED', 'CANCELLED']);
    await until('files cancelled', async () => (await view(id)).files.nodes.every((f) => f.status === 'CANCELLED'));
    expect(surf.calls.filter((x) => x.path === `/api/v1/tape/stage/${tapeReq.id}/cancel`)).toHaveLength(1);
    // The tape request is deleted at the site once cancelled and released.
    await until('delete at the peer', async () => surf.calls.some((x) => x.method === 'DELETE' && x.path === `/api/v1/tape/stage/${tapeReq.id}`));
    expect(surf.requests.has(tapeReq.id)).toBe(false);
  });
});

describe('cancel without a job following the request', () => {
  it('cancels the stored tape request at the peer from the cancel job', async () => {
    // A request whose worker died after submitting: the tape request exists, nothing polls it.
    const f = `${SURF_ROOT}/lc0_014/f.tar`;
    const remoteId = await new TapeRestClient(surf.tapeUrl, `Basic ${Buffer.from('stagecoach:surf-secret').toString('base64')}`).stage([{ path: f, diskLifetime: 'P1D' }]);
    const em = db.orm.em.fork();
    const owner = await em.findOneOrFail(User, { id: alice.id });
    const r = em.create(StagingRequest, { owner, method: 'DCACHE_STAGE', status: 'RUNNING', sourceSiteId: 'surf', targetSiteId: null, notify: false, idempotencyKey: null, filesTotal: 1, bytesTotal: 0, createdAt: new Date() });
    await em.flush();
    const file = em.create(StagedFile, { request: r, seq: 0, source: surl(f), target: f, status: 'RUNNING' });
    await em.flush();
    em.create(RemoteOperation, { request: r, siteId: 'surf', kind: 'TAPE_STAGE', remoteId, fileIds: [file.id], createdAt: new Date() });
    await em.flush();

    const res = await server.gql<{ cancelStagingRequest: { status: string } }>(`mutation($id: ID!) { cancelStagingRequest(id: $id) { status } }`, { id: r.id }, alice.token);
    expect(res.data!.cancelStagingRequest.status).toBe('CANCELLED');
    await until('cancel at the peer', async () => surf.calls.some((x) => x.path === `/api/v1/tape/stage/${remoteId}/cancel`));
    await until('release at the peer', async () => surf.calls.some((x) => x.path === `/api/v1/tape/release/${remoteId}`));
    await until('delete at the peer', async () => surf.calls.some((x) => x.method === 'DELETE' && x.path === `/api/v1/tape/stage/${remoteId}`));
    expect(surf.requests.has(remoteId)).toBe(false);
    await until('file cancelled', async () => (await view(r.id)).files.nodes[0]!.status === 'CANCELLED');
    expect((await db.orm.em.fork().findOneOrFail(RemoteOperation, { remoteId })).state).toBe('CANCELLED');
  });
});

describe('RUCIO_COPY', () => {
  it('follows the rule lock counts to completion', async () => {
    const res = await server.gql<{ stage: { id: string } }>(STAGE, { input: { method: 'RUCIO_COPY', items: [{ source: 'lofar:L100.tar' }] } }, alice.token);
    expect(res.errors).toBeUndefined();
    const id = res.data!.stage.id;
    const rule = await until('rule', async () => [...rucio.rules.values()].find((r) => r.name === 'L100.tar'));
    expect(rule).toMatchObject({ rse_expression: 'SURF_DISK', account: 'stagecoach', comment: expect.stringContaining(id) });
    await until('RUNNING', async () => (await fileStatus(id, 'lofar:L100.tar')) === 'RUNNING');
    rucio.completeLocks(rule.id, 2);
    await until('half the bytes', async () => (await view(id)).files.nodes[0]!.bytesDone === 2000);
    expect((await view(id)).files.nodes[0]).toMatchObject({ status: 'RUNNING', sizeBytes: 4000, target: 'SURF_DISK' });
    rucio.completeLocks(rule.id);
    const done = await waitForRequest<{ status: string; filesDone: number }>(server, alice.token, id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', filesDone: 1 });
    expect((await view(id)).files.nodes[0]!.bytesDone).toBe(4000);
    expect(rucio.calls.filter((x) => x.method === 'POST' && x.path === '/rules/')).toHaveLength(1);
  });

  it('fails a duplicate rule with a clear error', async () => {
    rucio.addExistingRule('lofar:L200.tar', 'SURF_DISK');
    const res = await server.gql<{ stage: { id: string } }>(STAGE, { input: { method: 'RUCIO_COPY', items: [{ source: 'lofar:L200.tar' }] } }, alice.token);
    const id = res.data!.stage.id;
    expect((await waitForRequest(server, alice.token, id)).status).toBe('FAILED');
    const f = (await view(id)).files.nodes[0]!;
    expect(f.error).toEqual({ code: 'TARGET_EXISTS', message: expect.stringMatching(/lofar:L200\.tar.*already exists.*DuplicateRule/) });
  });

  it('rejects a source that is not a DID', async () => {
    const res = await server.gql(STAGE, { input: { method: 'RUCIO_COPY', items: [{ source: 'not a did' }] } }, alice.token);
    expect(res.errors?.[0]?.extensions?.code).toBe('SOURCE_NOT_FOUND');
  });
});
