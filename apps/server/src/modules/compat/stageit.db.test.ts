import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startDcachePeer, type DcachePeer } from '@stagecoach/test-peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { startTestServer, userWithToken, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { StagingRequest } from '../staging/staging-request.entity';

const SURF_ROOT = '/pnfs/grid.sara.nl/data/lofar/ops/projects';
const FZJ_ROOT = '/pnfs/fz-juelich.de/data/lofar/ops/projects';
const surl = (p: string) => `srm://srm.grid.sara.nl:8443${p}`;
const jurl = (p: string) => `srm://lofar-srm.fz-juelich.de:8443/srm/managerv2?SFN=${p}`;

let db: TestDatabase;
let server: TestServer;
let surf: DcachePeer;
let juelich: DcachePeer;
let alice: { id: string; token: string };
let bob: { id: string; token: string };
let pending: { id: string; token: string };

const API = () => `${server.url}/stageit/api/staging`;
/** The headers stager_access sends. */
const headers = (token: string) => ({ Authorization: `Token ${token}`, 'Content-Type': 'application/json' });
/** stager_access sends `{}` even with GET; Node's fetch cannot, so GETs go without (the Python test sends it). */
const rest = (method: string, endpoint: string, token: string, body: unknown = {}) =>
  fetch(`${API()}/requests/${endpoint}`, {
    method,
    headers: headers(token),
    ...(method === 'GET' ? {} : { body: JSON.stringify(body) }),
  });
async function gql<T>(query: string, token = alice.token): Promise<{ data: T; errors?: { message: string }[] }> {
  const res = await fetch(`${API()}/graphql/`, { method: 'POST', headers: headers(token), body: JSON.stringify({ query }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { data: T; errors?: { message: string }[] };
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
const REQUEST = (id: number) =>
  `{ request(id: ${id}) { currentStatus currentStatusCode requestToken requestType when notify response surls { surl } macaroons { content validUntil ltaSite { name } } } }`;
interface RequestNode {
  currentStatus: string;
  currentStatusCode: string;
  requestToken: string;
  requestType: string;
  when: string;
  notify: boolean;
  response: string;
  surls: { surl: string }[];
  macaroons: { content: string; validUntil: string; ltaSite: { name: string } }[];
}
const request = async (id: number, token = alice.token) => (await gql<{ request: RequestNode }>(REQUEST(id), token)).data.request;

beforeAll(async () => {
  db = await createTestDatabase();
  surf = await startDcachePeer({
    user: 'stagecoach',
    password: 'surf-secret',
    files: {
      [`${SURF_ROOT}/lc0_012/L1/a.tar`]: 'surf file a',
      [`${SURF_ROOT}/lc0_012/L1/b.tar`]: 'surf file b',
      [`${SURF_ROOT}/lc0_012/L2/c.tar`]: 'surf file c',
      [`${SURF_ROOT}/lc0_099/other/x.tar`]: 'another project',
    },
  });
  juelich = await startDcachePeer({
    user: 'stagecoach',
    password: 'fzj-secret',
    autoCompleteMs: 200,
    files: { [`${FZJ_ROOT}/lt5_004/y.tar`]: 'juelich y', [`${FZJ_ROOT}/lt5_004/z.tar`]: 'juelich z' },
  });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sc-stageit-'));
  await fs.mkdir(path.join(dir, 'archive'));
  await fs.mkdir(path.join(dir, 'users'));
  await fs.writeFile(path.join(dir, 'surf.cred'), 'stagecoach:surf-secret');
  await fs.writeFile(path.join(dir, 'fzj.cred'), 'stagecoach:fzj-secret');
  const common = { kind: 'WEBDAV', pollMinMs: 20, pollMaxMs: 100 };
  const sites = {
    sites: [
      { id: 'archive', kind: 'POSIX', root: 'archive', roles: ['source'], default: true },
      { id: 'users', kind: 'POSIX', root: 'users', roles: ['target'] },
      {
        ...common,
        id: 'surf',
        name: 'SURF',
        urlPattern: 'srm://srm\\.grid\\.sara\\.nl(:8443)?/pnfs/grid\\.sara\\.nl/data/lofar/',
        webdavUrl: surf.doorUrl,
        tapeRestUrl: surf.tapeUrl,
        credentialsFile: 'surf.cred',
        rootCaveatPath: SURF_ROOT,
      },
      {
        ...common,
        id: 'juelich',
        name: 'Juelich',
        urlPattern: 'srm://lofar-srm\\.fz-juelich\\.de(:8443)?/',
        webdavUrl: juelich.doorUrl,
        tapeRestUrl: juelich.tapeUrl,
        credentialsFile: 'fzj.cred',
        rootCaveatPath: FZJ_ROOT,
      },
    ],
  };
  await fs.writeFile(path.join(dir, 'sites.yaml'), YAML.stringify(sites));
  server = await startTestServer(db.orm, { SITES_FILE: path.join(dir, 'sites.yaml') }, { dbUrl: db.url });
  alice = await userWithToken(db.orm, { email: 'alice@example.org' });
  bob = await userWithToken(db.orm, { email: 'bob@example.org' });
  pending = await userWithToken(db.orm, { email: 'pending@example.org', status: 'PENDING' });
});

afterAll(async () => {
  await Promise.all([surf?.close(), juelich?.close()]);
});

describe('StageIT API authentication', () => {
  it('answers 401 without a token or with a bad one, 403 for a pending account, and accepts Token and Bearer', async () => {
    const none = await fetch(`${API()}/requests/1/convert2webdav/`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Token');
    expect(await none.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
    expect((await rest('GET', '1/convert2webdav/', 'not-a-token')).status).toBe(401);
    const refused = await rest('POST', '', pending.token, {
      surls: [surl(`${SURF_ROOT}/lc0_012/L1/a.tar`)],
      notify: false,
      request_type: 'stage',
    });
    expect(refused.status).toBe(403);
    expect(await db.orm.em.fork().count(StagingRequest, { owner: pending.id })).toBe(0);
    const bearer = await fetch(`${API()}/graphql/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ requests(when_Gte: "0001-01-01T00:00:00") { edges { node { id } } } }' }),
    });
    expect(bearer.status).toBe(200);
    expect(await bearer.json()).toEqual({ data: { requests: { edges: [] } } });
  });

  it('answers unknown paths under the prefix with a JSON 404, not the web app', async () => {
    for (const p of ['/stageit/', '/stageit/api/staging/nope', '/stageit/api/staging/requests/1/convert2srm/']) {
      const res = await fetch(`${server.url}${p}`, { headers: headers(alice.token) });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
    }
  });
});

describe('StageIT requests as stager_access makes them', () => {
  const a = `${SURF_ROOT}/lc0_012/L1/a.tar`;
  const b = `${SURF_ROOT}/lc0_012/L1/b.tar`;
  let id: number;

  it('POST requests/ stages the SURLs as one DCACHE_STAGE request and answers its sequential number', async () => {
    const res = await rest('POST', '', alice.token, { surls: [surl(a), surl(b)], notify: true, request_type: 'stage' });
    expect(res.status).toBe(201);
    // Charged to the user's mutation rate limit, like the stage mutation.
    expect(res.headers.get('ratelimit-remaining')).toMatch(/^\d+$/);
    const body = (await res.json()) as { id: number };
    expect(Object.keys(body)).toEqual(['id']);
    expect(Number.isInteger(body.id)).toBe(true);
    id = body.id;
    const stored = await db.orm.em.fork().findOneOrFail(StagingRequest, { number: id });
    expect(stored).toMatchObject({ method: 'DCACHE_STAGE', notify: true });
    expect(stored.owner.id).toBe(alice.id);
    // The same number is in our own GraphQL.
    const ours = await server.gql<{ stagingRequest: { number: number } }>(
      `query($id: ID!) { stagingRequest(id: $id) { number } }`,
      { id: stored.id },
      alice.token,
    );
    expect(ours.data!.stagingRequest.number).toBe(id);
    // The next request gets the next number.
    const next = (await (
      await rest('POST', '', alice.token, {
        surls: [surl(`${SURF_ROOT}/lc0_012/L2/c.tar`)],
        notify: false,
        request_type: 'stage',
      })
    ).json()) as { id: number };
    expect(next.id).toBe(id + 1);
    expect((await rest('PUT', `${next.id}/abort/`, alice.token)).status).toBe(202);
  });

  it('refuses a body without SURLs, a SURL of no site, and another request type, staging nothing', async () => {
    const before = await db.orm.em.fork().count(StagingRequest, {});
    expect((await rest('POST', '', alice.token, { surls: [], notify: false, request_type: 'stage' })).status).toBe(400);
    const unknown = await rest('POST', '', alice.token, {
      surls: ['srm://srm.example.org/pnfs/x.tar'],
      notify: false,
      request_type: 'stage',
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      code: 'SOURCE_NOT_FOUND',
      detail: expect.stringContaining('srm://srm.example.org/pnfs/x.tar'),
    });
    expect((await rest('POST', '', alice.token, { surls: [surl(a)], notify: false, request_type: 'delete' })).status).toBe(400);
    expect(await db.orm.em.fork().count(StagingRequest, {})).toBe(before);
  });

  it('reports status, progress, macaroons and WebDAV URLs through GraphQL and REST as StageIT did', async () => {
    const r0 = await request(id);
    expect(['S', 'I']).toContain(r0.currentStatusCode);
    expect(r0).toMatchObject({
      requestType: 'stage',
      notify: true,
      surls: [{ surl: surl(a) }, { surl: surl(b) }],
      macaroons: [],
    });
    expect(JSON.parse(r0.response)).toEqual({ progressing: [surl(a), surl(b)], online: [], errors: {} });
    await until('tape request', async () => [...surf.requests.values()].some((r) => r.files.some((f) => f.path === a)));
    surf.setState(a, 'COMPLETED');
    surf.setState(b, 'COMPLETED');
    const done = await until('success', async () => {
      const r = await request(id);
      return r.currentStatusCode === 'C' && r;
    });
    expect(done.currentStatus).toBe('success');
    expect(JSON.parse(done.response)).toEqual({ progressing: [], online: [surl(a), surl(b)], errors: {} });
    expect(done.macaroons).toHaveLength(1);
    expect(done.macaroons[0]!.ltaSite).toEqual({ name: 'SURF' });
    expect(Date.parse(done.macaroons[0]!.validUntil)).toBeGreaterThan(Date.now());

    const webdav = await rest('GET', `${id}/convert2webdav/`, alice.token);
    expect(webdav.status).toBe(200);
    const urls = (await webdav.json()) as string[];
    expect(urls).toHaveLength(2);
    const got = await fetch(urls[0]!, { headers: { authorization: `Bearer ${done.macaroons[0]!.content}` } });
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('surf file a');

    const grid = await rest('GET', `${id}/convert2gridftp/`, alice.token);
    expect(grid.status).toBe(404);
    expect(((await grid.json()) as { detail: string }).detail).toMatch(/GridFTP is not offered/);

    // Progress: every request since datetime.min, filtered by code as a quoted string or a bare enum literal.
    type Edges = {
      requests: { edges: { node: { id: string; currentStatusCode: string; requestType: string; surls: { surl: string }[] } }[] };
    };
    const all = await gql<Edges>(
      `{ requests(when_Gte: "0001-01-01T00:00:00") { edges { node { id, requestToken, requestType, when, response, currentStatusCode, surls { surl } } } } }`,
    );
    expect(all.data.requests.edges.map((e) => e.node.id)).toEqual([String(id + 1), String(id)]);
    const completed = await gql<Edges>(
      `{ requests(when_Gte: "0001-01-01T00:00:00", currentStatusCode: "C") { edges { node { id currentStatusCode } } } }`,
    );
    expect(completed.data.requests.edges.map((e) => e.node)).toEqual([{ id: String(id), currentStatusCode: 'C' }]);
    const notAborted = await gql<Edges>(
      `{ requests(when_Gte:"0001-01-01T00:00:00", currentStatusCode_Ne: A) { edges { node { id } } } }`,
    );
    expect(notAborted.data.requests.edges.map((e) => e.node.id)).toEqual([String(id)]);
    const later = await gql<Edges>(
      `{ requests(when_Gte: "${new Date(Date.now() + 60_000).toISOString().slice(0, 19)}") { edges { node { id } } } }`,
    );
    expect(later.data.requests.edges).toEqual([]);
  });

  it('shows another user none of it: no request, no macaroons, no URLs, no abort', async () => {
    const res = await gql<{ request: RequestNode | null }>(REQUEST(id), bob.token);
    expect(res.data.request).toBeNull();
    expect(res.errors?.[0]?.message).toMatch(/does not exist/);
    const list = await gql<{ requests: { edges: unknown[] } }>(
      `{ requests(when_Gte: "0001-01-01T00:00:00") { edges { node { id } } } }`,
      bob.token,
    );
    expect(list.data.requests.edges).toEqual([]);
    expect((await rest('GET', `${id}/convert2webdav/`, bob.token)).status).toBe(404);
    expect((await rest('PUT', `${id}/abort/`, bob.token)).status).toBe(404);
    expect((await rest('PATCH', `${id}/`, bob.token, { current_status_code: 'S' })).status).toBe(404);
  });

  it('PUT abort/ cancels a running request at the tape system and answers 202 without a body', async () => {
    const c = `${SURF_ROOT}/lc0_012/L2/c.tar`;
    const created = (await (
      await rest('POST', '', alice.token, { surls: [surl(c)], notify: false, request_type: 'stage' })
    ).json()) as { id: number };
    const tapeReq = await until('tape request', async () =>
      [...surf.requests.values()].find((r) => r.files.some((f) => f.path === c && f.state === 'SUBMITTED')),
    );
    const res = await rest('PUT', `${created.id}/abort/`, alice.token);
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');
    expect((await request(created.id)).currentStatusCode).toBe('A');
    await until('release at the peer', async () =>
      surf.calls.some((x) => x.method === 'POST' && x.path === `/api/v1/tape/release/${tapeReq.id}`),
    );
    // Aborting again: it is finished.
    expect((await rest('PUT', `${created.id}/abort/`, alice.token)).status).toBe(409);
  });

  it('PATCH {"current_status_code": "S"} reschedules the failed files', async () => {
    const missing = `${SURF_ROOT}/lc0_012/L3/late.tar`;
    const created = (await (
      await rest('POST', '', alice.token, { surls: [surl(missing)], notify: false, request_type: 'stage' })
    ).json()) as { id: number };
    const failed = await until('failed', async () => {
      const r = await request(created.id);
      return r.currentStatusCode === 'F' && r;
    });
    expect(Object.keys(JSON.parse(failed.response).errors as object)).toEqual([surl(missing)]);
    expect((await rest('PATCH', `${created.id}/`, alice.token, { current_status_code: 'C' })).status).toBe(400);
    const res = await rest('PATCH', `${created.id}/`, alice.token, { current_status_code: 'S' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: created.id, current_status_code: 'S' });
    // Submitted again: the peer sees a second stage request for the file.
    await until(
      'second tape request',
      async () => [...surf.requests.values()].filter((r) => r.files.some((f) => f.path === missing)).length === 2,
    );
  });
});

describe('the stager_access calls from Python', () => {
  it('adds, follows, lists, reads macaroons and WebDAV URLs, and aborts', async () => {
    const y = `${FZJ_ROOT}/lt5_004/y.tar`;
    const z = `${FZJ_ROOT}/lt5_004/z.tar`;
    const carol = await userWithToken(db.orm, { email: 'carol@example.org' });
    const script = path.join(import.meta.dirname, '../../../test/stageit-client.py');
    const { stdout } = await promisify(execFile)('python3', [script, server.url, carol.token, jurl(y), jurl(z)], {
      timeout: 60_000,
    });
    const out = JSON.parse(stdout) as Record<string, unknown> & {
      id: number;
      webdav: string[];
      macaroons: Record<string, string>[];
    };
    expect(out).toMatchObject({
      status: 'success',
      online: [jurl(y), jurl(z)],
      progressing: [],
      failed: [],
      surls: [jurl(y), jurl(z)],
      gridftp: 404,
      progress_all: [String(out.id)],
      progress_completed: [String(out.id)],
      progress_not_completed: [],
      abort: null,
      aborted_status: { currentStatus: 'aborted', currentStatusCode: 'A' },
    });
    const stored = await db.orm.em.fork().findOneOrFail(StagingRequest, { number: out.id });
    expect(out.token).toBe(stored.id);
    expect(out.macaroons).toEqual([{ Juelich: expect.any(String) }]);
    expect(out.webdav).toHaveLength(2);
    const got = await fetch(out.webdav[1]!, { headers: { authorization: `Bearer ${out.macaroons[0]!.Juelich}` } });
    expect(await got.text()).toBe('juelich z');
  });
});
