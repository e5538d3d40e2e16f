/**
 * SKAO staging service clients against the real app: the requests its React frontend (axios) and
 * its scripts (Python `requests`) send, header for header, with only the host and a token changed.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, userWithToken, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { StagingRequest } from '../staging/staging-request.entity';

type U = { id: string; email: string; token: string };

/** What axios (SKAO's frontend) sends with a JSON body, plus the one header that changes: the token. */
const AXIOS = { accept: 'application/json, text/plain, */*', 'content-type': 'application/json' };
/** What Python's `requests` sends for `requests.post(url, json=...)`. */
const PY_REQUESTS = {
  'user-agent': 'python-requests/2.32.3',
  'accept-encoding': 'gzip, deflate',
  accept: '*/*',
  connection: 'keep-alive',
  'content-type': 'application/json',
};
const bearer = (u: U) => ({ authorization: `Bearer ${u.token}` });

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: Buffer;
  json: Record<string, unknown> | null;
}

async function call(
  base: string,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer> {
  const res = await fetch(`${base}${pathAndQuery}`, {
    method,
    headers,
    redirect: 'manual',
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const buf = Buffer.from(await res.arrayBuffer());
  let json: Record<string, unknown> | null;
  try {
    json = JSON.parse(buf.toString()) as Record<string, unknown>;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text: buf.toString(), body: buf, json };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let db: TestDatabase;
let server: TestServer;
let archive: string;
let users: string;
let webDist: string;
let alice: U;
let bob: U;
let admin: U;
let pending: U;

beforeAll(async () => {
  db = await createTestDatabase();
  webDist = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-skao-web-'));
  await fs.writeFile(path.join(webDist, 'index.html'), '<!doctype html><title>Stagecoach</title>');
  server = await startTestServer(
    db.orm,
    {
      COMPAT_WAIT: '20s',
      FILE_TOOL: 'users',
      ALLOWED_METHODS: '["local_copy", "local_symlink", "direct_download", "jupyter_copy"]',
    },
    { dbUrl: db.url, webDist },
  );
  archive = path.join(server.dataDir, 'sites', 'archive');
  users = path.join(server.dataDir, 'sites', 'users');
  alice = await userWithToken(db.orm, { email: 'alice@example.org' });
  bob = await userWithToken(db.orm, { email: 'bob@example.org' });
  admin = await userWithToken(db.orm, { email: 'ops@example.org', role: 'ADMIN' });
  pending = await userWithToken(db.orm, { email: 'pat@example.org', status: 'PENDING' });
  await fs.mkdir(path.join(archive, 'data', 'folder'), { recursive: true });
  await fs.writeFile(path.join(archive, 'data', 'file1.txt'), 'Sample data file');
  await fs.writeFile(path.join(archive, 'data', 'file2.txt'), 'Another data file');
});

afterAll(async () => {
  await fs.rm(webDist, { recursive: true, force: true });
});

describe('POST /stage-data/ (the staging form and scripts)', () => {
  it("stages the form's request (absolute path on the storage mount, wrapped in data) read-only into the user's area", async () => {
    const res = await call(
      server.url,
      'POST',
      '/stage-data/?method=local_copy&username=alice',
      { ...AXIOS, ...bearer(alice) },
      {
        data: { local_path_on_storage: path.join(archive, 'data', 'file1.txt'), relative_path: 'project/file1.txt' },
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json).toMatchObject({ status: 'success', message: 'Data staged successfully with local_copy.' });
    const staged = path.join(users, 'alice', 'project', 'file1.txt');
    expect(await fs.readFile(staged, 'utf8')).toBe('Sample data file');
    expect((await fs.stat(staged)).mode & 0o222).toBe(0);
  });

  it('answers a Python script like /stage_data does, with the same bodies and status codes', async () => {
    const ok = await call(
      server.url,
      'POST',
      '/stage-data/?method=local_copy&username=alice',
      { ...PY_REQUESTS, ...bearer(alice) },
      { data: { local_path_on_storage: 'data/file2.txt', relative_path: 'project/file2.txt' } },
    );
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ status: 'success', message: 'Data staged successfully with local_copy.' });
    const again = await call(
      server.url,
      'POST',
      '/stage-data/?method=local_copy&username=alice',
      { ...PY_REQUESTS, ...bearer(alice) },
      { data: { local_path_on_storage: 'data/file2.txt', relative_path: 'project/file2.txt' } },
    );
    expect(again.json).toMatchObject({
      status: 'success',
      message: 'The file is already available at the target; no copy was needed.',
    });
    const old = await call(
      server.url,
      'POST',
      '/stage_data?method=local_copy&username=alice',
      { ...PY_REQUESTS, ...bearer(alice) },
      { data: { local_path_on_storage: 'data/file2.txt', relative_path: 'project/file2.txt' } },
    );
    expect({ status: old.status, json: old.json }).toEqual({
      status: again.status,
      json: { ...again.json, request_id: old.json!.request_id },
    });
  });

  it.each([
    // SKAO's own test_invalid_method, verbatim.
    [
      '/stage-data/?method=invalid_method&username=alice',
      { local_path_on_storage: 'data/file1.txt', relative_path: 'project/file1.txt' },
      400,
      { detail: 'Invalid staging method: invalid_method' },
    ],
    // A method this deployment does not offer (ALLOWED_METHODS lists four).
    [
      '/stage-data/?method=s3_copy&username=alice',
      { local_path_on_storage: 'data/file1.txt', relative_path: 'x.txt' },
      400,
      { detail: 'Invalid staging method: s3_copy' },
    ],
    [
      '/stage-data/?method=local_copy&username=alice',
      { local_path_on_storage: 'data/missing.txt', relative_path: 'x.txt' },
      400,
      { detail: 'Source path does not exist: data/missing.txt' },
    ],
    [
      '/stage-data/?method=local_copy&username=alice',
      { local_path_on_storage: '/etc/passwd', relative_path: 'x.txt' },
      400,
      { detail: 'Source path is outside the archive: /etc/passwd' },
    ],
  ])('%s %j → %i', async (url, data, status, body) => {
    const res = await call(server.url, 'POST', url, { ...AXIOS, ...bearer(alice) }, { data });
    expect(res.status).toBe(status);
    expect(res.json).toEqual(body);
  });

  it('keeps the path rules: a target outside the area is 400 PATH_OUTSIDE_ROOT, an existing different file 409', async () => {
    const out = await call(
      server.url,
      'POST',
      '/stage-data/?method=local_copy&username=alice',
      { ...AXIOS, ...bearer(alice) },
      { data: { local_path_on_storage: 'data/file1.txt', relative_path: '../bob/planted.txt' } },
    );
    expect(out.status).toBe(400);
    expect(out.json).toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    await expect(fs.stat(path.join(users, 'bob', 'planted.txt'))).rejects.toThrow();
    const taken = await call(
      server.url,
      'POST',
      '/stage-data/?method=local_copy&username=alice',
      { ...AXIOS, ...bearer(alice) },
      { data: { local_path_on_storage: 'data/file2.txt', relative_path: 'project/file1.txt' } },
    );
    expect(taken.status).toBe(409);
    expect(taken.json!.code).toBe('TARGET_EXISTS');
  });

  it('answers FastAPI 422 details for missing parameters and a malformed body', async () => {
    const missing = await call(
      server.url,
      'POST',
      '/stage-data/?username=alice',
      { ...AXIOS, ...bearer(alice) },
      { data: { relative_path: 'x' } },
    );
    expect(missing.status).toBe(422);
    expect((missing.json!.detail as { loc: string[] }[]).map((d) => d.loc.join('.'))).toEqual([
      'query.method',
      'body.local_path_on_storage',
    ]);
    const bad = await call(
      server.url,
      'POST',
      '/stage-data/?method=local_copy&username=alice',
      { ...AXIOS, ...bearer(alice) },
      '{"data": ',
    );
    expect(bad.status).toBe(422);
  });

  it('needs a token (401) of an approved user (403) whose name is the username (403), and stages nothing otherwise', async () => {
    const body = { data: { local_path_on_storage: 'data/file1.txt', relative_path: 'anon.txt' } };
    const anon = await call(server.url, 'POST', '/stage-data/?method=local_copy&username=alice', AXIOS, body);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toBe('Bearer');
    expect(anon.json!.detail).toMatch(/Not authenticated/);
    expect(
      (await call(server.url, 'POST', '/stage-data/?method=local_copy&username=pat', { ...AXIOS, ...bearer(pending) }, body))
        .status,
    ).toBe(403);
    const other = await call(
      server.url,
      'POST',
      '/stage-data/?method=local_copy&username=alice',
      { ...AXIOS, ...bearer(bob) },
      body,
    );
    expect(other).toMatchObject({ status: 403, json: { detail: 'The username alice does not match the authenticated user.' } });
    await expect(fs.stat(path.join(users, 'alice', 'anon.txt'))).rejects.toThrow();
  });
});

describe('GET /config/ and /config/allowed-methods/', () => {
  it("lists ALLOWED_METHODS (SKAO's JSON list) in lower case, as the form's method menu reads it", async () => {
    const res = await call(server.url, 'GET', '/config/allowed-methods/', {
      accept: 'application/json, text/plain, */*',
      ...bearer(alice),
    });
    expect(res.status).toBe(200);
    // jupyter_copy is allowed but no JupyterHub site is configured here, so it is not offered.
    expect(res.json).toEqual({ allowed_methods: ['local_copy', 'local_symlink', 'direct_download'] });
  });

  it('shows the storage paths to administrators and only the sites’ names to everyone else', async () => {
    const user = await call(server.url, 'GET', '/config/', { accept: '*/*', ...bearer(alice) });
    expect(user.json).toEqual({
      source_storage_path: 'Archive',
      target_storage_path: 'User areas',
      allowed_methods: ['local_copy', 'local_symlink', 'direct_download'],
    });
    expect(user.text).not.toContain(server.dataDir);
    const ops = await call(server.url, 'GET', '/config/', { accept: '*/*', ...bearer(admin) });
    expect(ops.json).toEqual({
      source_storage_path: archive,
      target_storage_path: users,
      allowed_methods: ['local_copy', 'local_symlink', 'direct_download'],
    });
  });

  it('needs a token', async () => {
    expect((await call(server.url, 'GET', '/config/', { accept: '*/*' })).status).toBe(401);
    expect((await call(server.url, 'GET', '/config/allowed-methods/', { accept: '*/*' })).status).toBe(401);
  });
});

describe('GET /logs/', () => {
  const LINE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} - (DEBUG|INFO|WARNING|ERROR) - .+$/;

  it("answers the caller's own recent lines as text, one `time - level - message` per line, newest last", async () => {
    await call(
      server.url,
      'POST',
      '/stage-data/?method=local_copy&username=bob',
      { ...AXIOS, ...bearer(bob) },
      { data: { local_path_on_storage: 'data/file1.txt', relative_path: 'bobs.txt' } },
    );
    const res = await call(server.url, 'GET', '/logs/', { accept: 'application/json, text/plain, */*', ...bearer(alice) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const lines = res.text.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).toMatch(LINE);
    expect(res.text).toContain('request submitted: LOCAL_COPY');
    expect(res.text).not.toContain('bobs.txt');
    const times = lines.map((l) => l.slice(0, 23));
    expect([...times].sort()).toEqual(times);
  });

  it("shows administrators everyone's lines, and ?lines=N the last N", async () => {
    const all = await call(server.url, 'GET', '/logs/', { accept: '*/*', ...bearer(admin) });
    expect(all.text).toContain('bobs.txt');
    const mine = (await call(server.url, 'GET', '/logs/', { accept: '*/*', ...bearer(alice) })).text.trimEnd().split('\n');
    const two = await call(server.url, 'GET', '/logs/?lines=2', { accept: '*/*', ...bearer(alice) });
    expect(two.text.trimEnd().split('\n')).toEqual(mine.slice(-2));
  });

  it.each(['0', '-1', 'abc', '10001'])('refuses ?lines=%s with 422', async (n) => {
    const res = await call(server.url, 'GET', `/logs/?lines=${n}`, { accept: '*/*', ...bearer(alice) });
    expect(res.status).toBe(422);
    expect(res.json!.detail).toEqual([expect.objectContaining({ loc: ['query', 'lines'] })]);
  });

  it("leaves a browser's /logs to the web app's page, and needs a token otherwise", async () => {
    const page = await call(server.url, 'GET', '/logs', {
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>Stagecoach</title>');
    const anon = await call(server.url, 'GET', '/logs/', { accept: 'application/json, text/plain, */*' });
    expect(anon.status).toBe(401);
  });
});

describe('POST /create-file/ (the file creator)', () => {
  it('creates the file in the sandbox and says where', async () => {
    const res = await call(
      server.url,
      'POST',
      '/create-file/',
      { ...AXIOS, ...bearer(alice) },
      { filename: 'File1.txt', content: 'hello from the file creator\n' },
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'success', message: "File 'File1.txt' created successfully in sandbox/File1.txt." });
    expect(await fs.readFile(path.join(archive, 'sandbox', 'File1.txt'), 'utf8')).toBe('hello from the file creator\n');
    // …and the form can stage it from there.
    const staged = await call(
      server.url,
      'POST',
      '/stage-data/?method=local_copy&username=alice',
      { ...AXIOS, ...bearer(alice) },
      { data: { local_path_on_storage: 'sandbox/File1.txt', relative_path: 'File1Copy.txt' } },
    );
    expect(staged.status).toBe(200);
  });

  it('is confined like createFile: no escaping the sandbox, no overwriting, both fields required', async () => {
    const escape = await call(
      server.url,
      'POST',
      '/create-file/',
      { ...AXIOS, ...bearer(alice) },
      { filename: '../data/file1.txt', content: 'x' },
    );
    expect(escape.status).toBe(400);
    expect(escape.json!.code).toBe('PATH_OUTSIDE_ROOT');
    expect(await fs.readFile(path.join(archive, 'data', 'file1.txt'), 'utf8')).toBe('Sample data file');
    const again = await call(
      server.url,
      'POST',
      '/create-file/',
      { ...AXIOS, ...bearer(alice) },
      { filename: 'File1.txt', content: 'replaced?' },
    );
    expect(again.status).toBe(409);
    expect(await fs.readFile(path.join(archive, 'sandbox', 'File1.txt'), 'utf8')).toBe('hello from the file creator\n');
    const missing = await call(server.url, 'POST', '/create-file/', { ...AXIOS, ...bearer(alice) }, { filename: 'x.txt' });
    expect(missing.status).toBe(422);
    expect((missing.json!.detail as { loc: string[] }[])[0]!.loc).toEqual(['body', 'content']);
    expect((await call(server.url, 'POST', '/create-file/', AXIOS, { filename: 'y.txt', content: 'y' })).status).toBe(401);
  });
});

describe('unknown paths under the SKAO routes', () => {
  it.each([
    ['GET', '/stage-data/1/extra'],
    ['GET', '/config/nope'],
    ['GET', '/config/allowed-methods/more'],
    ['POST', '/create-file/sub'],
    ['GET', '/logs/old'],
    ['GET', '/stage_data/x'],
  ])('%s %s → 404 JSON, not the web app', async (method, url) => {
    const res = await call(server.url, method, url, { accept: 'text/html,*/*;q=0.8' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json).toEqual({ detail: 'Not Found', code: 'NOT_FOUND' });
  });

  it('answers 405 JSON for a known path with another method', async () => {
    const res = await call(server.url, 'GET', '/stage-data/', { accept: '*/*' });
    expect(res.status).toBe(405);
    expect(res.json).toEqual({ detail: 'Method Not Allowed' });
    expect((await call(server.url, 'DELETE', '/config/', { accept: '*/*' })).status).toBe(405);
  });
});

describe('without a worker: the wait, Location and direct downloads', () => {
  // Requests stay queued on this server (no job runner) until a second one with a worker joins.
  let idleDb: TestDatabase;
  let idle: TestServer;
  let carol: U;
  let dave: U;

  beforeAll(async () => {
    idleDb = await createTestDatabase();
    idle = await startTestServer(idleDb.orm, { COMPAT_WAIT: '2s' });
    carol = await userWithToken(idleDb.orm, { email: 'carol@example.org' });
    dave = await userWithToken(idleDb.orm, { email: 'dave@example.org' });
    await fs.writeFile(path.join(idle.dataDir, 'sites', 'archive', 'small.txt'), 'small\n');
  });

  it('streams a large direct_download at once (octet-stream, attachment) without waiting for a checksum', async () => {
    const big = randomBytes(48 * 1024 * 1024);
    await fs.writeFile(path.join(idle.dataDir, 'sites', 'archive', 'big.bin'), big);
    const res = await call(
      idle.url,
      'POST',
      '/stage-data/?method=direct_download&username=carol',
      { ...AXIOS, ...bearer(carol) },
      { data: { local_path_on_storage: 'big.bin', relative_path: '' } },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?big\.bin"?$/);
    expect(res.body.length).toBe(big.length);
    expect(sha256(res.body)).toBe(sha256(big));
    // Nothing hashed it: the request is still waiting for a worker.
    const r = await idleDb.orm.em.fork().findOneOrFail(StagingRequest, { owner: carol.id, method: 'DIRECT_DOWNLOAD' });
    expect(r.status).toBe('QUEUED');
  });

  it('waits on the request’s events, not by polling the database, then answers 202 with a Location', async () => {
    const connection = idleDb.orm.em.getConnection();
    const spy = vi.spyOn(connection, 'execute');
    try {
      const res = await call(
        idle.url,
        'POST',
        '/stage-data/?method=local_copy&username=carol',
        { ...AXIOS, ...bearer(carol) },
        { data: { local_path_on_storage: 'small.txt', relative_path: 'small.txt' } },
      );
      expect(res.status).toBe(202);
      expect(res.json).toMatchObject({ status: 'accepted', request_id: expect.any(String) });
      expect(res.headers.get('location')).toBe(`/stage-data/${res.json!.request_id as string}`);
      const reads = spy.mock.calls.filter(([sql]) => /^\s*select\b[^]*\bfrom "staging_requests"/i.test(String(sql)));
      // One read before waiting and one at the deadline; polling every 100 ms for 2 s made ~20.
      expect(reads.length).toBeGreaterThanOrEqual(1);
      expect(reads.length).toBeLessThanOrEqual(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('answers the final result at the Location once a worker finished it; only to its owner', async () => {
    const posted = await call(
      idle.url,
      'POST',
      '/stage-data/?method=local_copy&username=carol',
      { ...PY_REQUESTS, ...bearer(carol) },
      { data: { local_path_on_storage: 'small.txt', relative_path: 'later/small.txt' } },
    );
    expect(posted.status).toBe(202);
    const location = posted.headers.get('location')!;
    const pendingAnswer = await call(idle.url, 'GET', location, { ...PY_REQUESTS, ...bearer(carol) });
    expect(pendingAnswer.status).toBe(202);
    expect(pendingAnswer.json).toMatchObject({ status: 'accepted', request_id: posted.json!.request_id });

    expect(await call(idle.url, 'GET', location, { accept: '*/*', ...bearer(dave) })).toMatchObject({
      status: 404,
      json: { code: 'NOT_FOUND' },
    });
    expect(await call(idle.url, 'GET', '/stage-data/not-a-request', { accept: '*/*', ...bearer(carol) })).toMatchObject({
      status: 404,
      json: { code: 'NOT_FOUND' },
    });
    expect((await call(idle.url, 'GET', location, { accept: '*/*' })).status).toBe(401);

    // A worker joins and works off the queue.
    const worker = await startTestServer(idleDb.orm, { DATA_DIR: idle.dataDir }, { dbUrl: idleDb.url });
    const deadline = Date.now() + 20_000;
    let final: Answer;
    do {
      await new Promise((r) => setTimeout(r, 100));
      final = await call(worker.url, 'GET', location, { ...PY_REQUESTS, ...bearer(carol) });
    } while (final.status === 202 && Date.now() < deadline);
    expect(final.status).toBe(200);
    expect(final.json).toMatchObject({
      status: 'success',
      message: 'Data staged successfully with local_copy.',
      request_id: posted.json!.request_id,
    });
    expect(await fs.readFile(path.join(idle.dataDir, 'sites', 'users', 'carol', 'later', 'small.txt'), 'utf8')).toBe('small\n');
  });
});

describe('the mutation rate limit', () => {
  it('charges /stage-data/, /stage_data and /create-file/ to the same bucket as GraphQL mutations: 429 RATE_LIMITED with Retry-After', async () => {
    const limitedDb = await createTestDatabase();
    const limited = await startTestServer(limitedDb.orm, {
      COMPAT_WAIT: '0s',
      RATE_LIMIT_MUTATION_BURST: '3',
      RATE_LIMIT_MUTATIONS: '1',
      FILE_TOOL: 'users',
    });
    const erin = await userWithToken(limitedDb.orm, { email: 'erin@example.org' });
    await fs.writeFile(path.join(limited.dataDir, 'sites', 'archive', 'f.txt'), 'f');
    const stage = (url: string, target: string) =>
      call(
        limited.url,
        'POST',
        `${url}?method=local_copy&username=erin`,
        { ...AXIOS, ...bearer(erin) },
        { data: { local_path_on_storage: 'f.txt', relative_path: target } },
      );

    const first = await stage('/stage-data/', 'a.txt');
    expect(first.status).toBe(202);
    expect(first.headers.get('ratelimit-remaining')).toBe('2');
    expect((await stage('/stage_data', 'b.txt')).status).toBe(202);
    expect(
      (await call(limited.url, 'POST', '/create-file/', { ...AXIOS, ...bearer(erin) }, { filename: 'c.txt', content: 'c' }))
        .status,
    ).toBe(200);

    const refused = await stage('/stage-data/', 'd.txt');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.json).toMatchObject({ code: 'RATE_LIMITED', detail: expect.stringMatching(/Too many changes/) });
    expect(
      (await call(limited.url, 'POST', '/create-file/', { ...AXIOS, ...bearer(erin) }, { filename: 'e.txt', content: 'e' }))
        .status,
    ).toBe(429);
    // The same bucket refuses GraphQL mutations too.
    const gql = await limited.gql(`mutation { createApiToken(name: "x") { __typename } }`, {}, erin.token);
    expect(gql.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    // Nothing was staged or created by the refused calls.
    expect(await limitedDb.orm.em.fork().count(StagingRequest, { owner: erin.id })).toBe(2);
    await expect(fs.stat(path.join(limited.dataDir, 'sites', 'archive', 'sandbox', 'e.txt'))).rejects.toThrow();
  });
});
