import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, userWithToken, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { StagingRequest } from '../staging/staging-request.entity';

let db: TestDatabase;
let server: TestServer;
let archive: string;
let users: string;
type U = { id: string; email: string; token: string };
let alice: U;
let bob: U;
let admin: U;
let pending: U;

const auth = (u: U) => ({ authorization: `Bearer ${u.token}` });

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm, { COMPAT_WAIT: '20s' }, { dbUrl: db.url });
  archive = path.join(server.dataDir, 'sites', 'archive');
  users = path.join(server.dataDir, 'sites', 'users');
  alice = await userWithToken(db.orm, { email: 'alice@example.org' });
  bob = await userWithToken(db.orm, { email: 'bob@example.org' });
  admin = await userWithToken(db.orm, { email: 'ops@example.org', role: 'ADMIN' });
  pending = await userWithToken(db.orm, { email: 'pat@example.org', status: 'PENDING' });
  await fs.writeFile(path.join(archive, 'File1.txt'), 'hello from storage_a\n');
  // The Pacifica README's cart: three archive files placed under 1/2/3 and 2/3/4 in the bundle.
  for (const [name, body] of [['foo.txt', 'foo'], ['bar.csv', 'a,b\n1,2\n'], ['baz.ini', '[x]\ny=1\n']]) await fs.writeFile(path.join(archive, name!), body!);
});

/** `POST /stage_data` as the SKAO clients call it: method and username in the query, paths in the JSON body. */
async function stageData(query: Record<string, string>, body: unknown, user?: U, raw?: string) {
  const res = await fetch(`${server.url}/stage_data?${new URLSearchParams(query)}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/json', ...(user ? auth(user) : {}) },
    body: raw ?? JSON.stringify(body),
  });
  const text = Buffer.from(await res.arrayBuffer());
  let json: Record<string, unknown> | null;
  try {
    json = JSON.parse(text.toString()) as Record<string, unknown>;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, json, body: text };
}

describe('SKAO POST /stage_data', () => {
  it('stages the docs example (absolute path on the storage mount, wrapped in "data") into the user area, read-only', async () => {
    const abs = path.join(archive, 'File1.txt');
    const res = await stageData({ method: 'local_copy', username: 'alice' }, { data: { local_path_on_storage: abs, relative_path: 'File1Copy.txt' } }, alice);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'success', message: 'Data staged successfully with local_copy.', relative_path: 'File1Copy.txt' });
    const target = path.join(users, 'alice', 'File1Copy.txt');
    expect(await fs.readFile(target, 'utf8')).toBe('hello from storage_a\n');
    expect((await fs.stat(target)).mode & 0o222).toBe(0);
  });

  it('answers success without copying when the identical file is already there (the duplication check)', async () => {
    const res = await stageData({ method: 'local_copy', username: 'alice' }, { local_path_on_storage: 'File1.txt', relative_path: 'File1Copy.txt' }, alice);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'success', message: 'The file is already available at the target; no copy was needed.' });
  });

  it('refuses to overwrite a different file with 409', async () => {
    await fs.mkdir(path.join(users, 'alice'), { recursive: true });
    await fs.writeFile(path.join(users, 'alice', 'mine.txt'), 'my own notes');
    const res = await stageData({ method: 'local_copy', username: 'alice' }, { local_path_on_storage: 'File1.txt', relative_path: 'mine.txt' }, alice);
    expect(res.status).toBe(409);
    expect(res.json!.detail).toMatch(/different content/);
    expect(await fs.readFile(path.join(users, 'alice', 'mine.txt'), 'utf8')).toBe('my own notes');
  });

  it('answers 400 "Invalid staging method: <m>" for an unknown method', async () => {
    const res = await stageData({ method: 'teleport', username: 'alice' }, { local_path_on_storage: 'File1.txt', relative_path: 'x.txt' }, alice);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ detail: 'Invalid staging method: teleport' });
  });

  it('answers 400 "Source path does not exist: <path>" and stages nothing', async () => {
    const before = await db.orm.em.fork().count(StagingRequest, {});
    const res = await stageData({ method: 'local_copy', username: 'alice' }, { local_path_on_storage: 'missing/File9.txt', relative_path: 'x.txt' }, alice);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ detail: 'Source path does not exist: missing/File9.txt' });
    expect(await db.orm.em.fork().count(StagingRequest, {})).toBe(before);
  });

  it.each([
    ['../../etc/passwd', 'File1.txt'],
    ['File1.txt', '../bob/planted.txt'],
  ])('keeps our path rules: source %j / target %j → 400 PATH_OUTSIDE_ROOT', async (source, target) => {
    const res = await stageData({ method: 'local_copy', username: 'alice' }, { local_path_on_storage: source, relative_path: target }, alice);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    await expect(fs.stat(path.join(users, 'bob', 'planted.txt'))).rejects.toThrow();
  });

  it('refuses an absolute path outside the archive', async () => {
    const res = await stageData({ method: 'local_copy', username: 'alice' }, { local_path_on_storage: '/etc/passwd', relative_path: 'p.txt' }, alice);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ detail: 'Source path is outside the archive: /etc/passwd' });
  });

  it('answers 422 with FastAPI-style details for a malformed body or missing parameters', async () => {
    const bad = await stageData({ method: 'local_copy', username: 'alice' }, null, alice, '{"local_path_on_storage": ');
    expect(bad.status).toBe(422);
    expect(bad.json).toEqual({ detail: [expect.objectContaining({ type: 'json_invalid', loc: ['body'] })] });
    const missing = await stageData({ username: 'alice' }, { relative_path: 'x' }, alice);
    expect(missing.status).toBe(422);
    const locs = (missing.json!.detail as { loc: string[] }[]).map((d) => d.loc.join('.'));
    expect(locs).toEqual(['query.method', 'body.local_path_on_storage']);
  });

  it('serves direct_download as the file itself (the FastAPI FileResponse)', async () => {
    const res = await stageData({ method: 'direct_download', username: 'alice' }, { local_path_on_storage: 'File1.txt', relative_path: 'ignored.txt' }, alice);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?File1\.txt"?$/);
    expect(res.body.toString()).toBe('hello from storage_a\n');
  });

  describe('ownership', () => {
    it('needs a Bearer token (401) from an active user (403)', async () => {
      const anon = await stageData({ method: 'local_copy', username: 'alice' }, { local_path_on_storage: 'File1.txt', relative_path: 'a.txt' });
      expect(anon.status).toBe(401);
      expect(anon.headers.get('www-authenticate')).toBe('Bearer');
      expect(anon.json!.detail).toMatch(/Not authenticated/);
      const forged = await stageData({ method: 'local_copy', username: 'alice' }, { local_path_on_storage: 'File1.txt', relative_path: 'a.txt' }, { ...alice, token: 'sc_forged' });
      expect(forged.status).toBe(401);
      const notApproved = await stageData({ method: 'local_copy', username: 'pat' }, { local_path_on_storage: 'File1.txt', relative_path: 'a.txt' }, pending);
      expect(notApproved.status).toBe(403);
    });

    it("refuses a username that is not the token's user (403), and stages nothing into their area", async () => {
      const res = await stageData({ method: 'local_copy', username: 'alice' }, { local_path_on_storage: 'File1.txt', relative_path: 'from-bob.txt' }, bob);
      expect(res.status).toBe(403);
      expect(res.json).toEqual({ detail: 'The username alice does not match the authenticated user.' });
      await expect(fs.stat(path.join(users, 'alice', 'from-bob.txt'))).rejects.toThrow();
    });

    it("lets an admin stage into another user's area", async () => {
      const res = await stageData({ method: 'local_copy', username: 'bob' }, { local_path_on_storage: 'File1.txt', relative_path: 'by-admin.txt' }, admin);
      expect(res.status).toBe(200);
      expect(await fs.readFile(path.join(users, 'bob', 'by-admin.txt'), 'utf8')).toBe('hello from storage_a\n');
      const unknown = await stageData({ method: 'local_copy', username: 'nobody' }, { local_path_on_storage: 'File1.txt', relative_path: 'x.txt' }, admin);
      expect(unknown.status).toBe(404);
    });
  });
});

/** The Pacifica README's example cart (foo.json). */
const FOO_JSON = {
  fileids: [
    { id: 'foo.txt', path: '1/2/3/foo.txt' },
    { id: 'bar.csv', path: '1/2/3/bar.csv' },
    { id: 'baz.ini', path: '2/3/4/baz.ini' },
  ],
};

async function cart(method: string, uid: string, user?: U, opts: { body?: string; query?: string } = {}) {
  const res = await fetch(`${server.url}/carts/${uid}${opts.query ?? ''}`, { method, headers: { ...(user ? auth(user) : {}), ...(opts.body ? { 'content-type': 'application/json' } : {}) }, body: opts.body });
  const buf = Buffer.from(await res.arrayBuffer());
  let json: Record<string, unknown> | null;
  try {
    json = JSON.parse(buf.toString()) as Record<string, unknown>;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, json, body: buf };
}

async function waitForCart(uid: string, user: U): Promise<{ status: number; headers: Headers }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await cart('HEAD', uid, user);
    if (!['waiting', 'staging', 'bundling'].includes(r.headers.get('x-pacifica-status') ?? '') || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Names and contents of a ustar archive's regular files. */
function untar(buf: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  for (let off = 0; off + 512 <= buf.length; ) {
    const name = buf.subarray(off, off + 100).toString().replace(/\0.*$/s, '');
    if (!name) break;
    const prefix = buf.subarray(off + 345, off + 500).toString().replace(/\0.*$/s, '');
    const size = parseInt(buf.subarray(off + 124, off + 136).toString().replace(/\0.*$/s, '').trim(), 8);
    out.set(prefix ? `${prefix}/${name}` : name, buf.subarray(off + 512, off + 512 + size).toString());
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe('Pacifica carts', () => {
  const uid = '6f1f5d8c-1f0e-4c59-9a3e-cart00000001';

  it('creates a cart (201 "Cart Processing has begun"), reports ready, and streams the tar under the given filename', async () => {
    const created = await cart('POST', uid, alice, { body: JSON.stringify(FOO_JSON) });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ message: 'Cart Processing has begun' });

    const head = await waitForCart(uid, alice);
    expect(head.status).toBe(204);
    expect(head.headers.get('x-pacifica-status')).toBe('ready');
    expect(head.headers.get('x-pacifica-message')).toBe('');

    const got = await cart('GET', uid, alice, { query: '?filename=my_cart.tar' });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-disposition')).toBe('attachment; filename="my_cart.tar"');
    expect(got.headers.get('content-type')).toBe('application/x-tar');
    expect(Object.fromEntries(untar(got.body))).toEqual({ '1/2/3/foo.txt': 'foo', '1/2/3/bar.csv': 'a,b\n1,2\n', '2/3/4/baz.ini': '[x]\ny=1\n' });
  });

  it('names the tar data_YYYY_MM_DD_HH_MM_SS.tar without a filename, and never lets a filename carry a path', async () => {
    const plain = await cart('GET', uid, alice);
    expect(plain.headers.get('content-disposition')).toMatch(/^attachment; filename="data_\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.tar"$/);
    const sneaky = await cart('GET', uid, alice, { query: `?filename=${encodeURIComponent('../../x"y.tar')}` });
    expect(sneaky.headers.get('content-disposition')).toBe('attachment; filename="x_y.tar"');
  });

  it("scopes uids to their owner: someone else's cart is not found, and they may use the same uid for their own", async () => {
    const head = await cart('HEAD', uid, bob);
    expect(head.status).toBe(404);
    expect(head.headers.get('x-pacifica-status')).toBe('error');
    expect(head.headers.get('x-pacifica-message')).toBe(`No cart with uid ${uid} found`);
    expect((await cart('GET', uid, bob)).status).toBe(404);
    expect((await cart('DELETE', uid, bob)).status).toBe(404);
    const own = await cart('POST', uid, bob, { body: JSON.stringify({ fileids: [{ id: 'foo.txt', path: 'bobs/foo.txt' }] }) });
    expect(own.status).toBe(201);
    expect((await waitForCart(uid, bob)).headers.get('x-pacifica-status')).toBe('ready');
    expect([...untar((await cart('GET', uid, bob)).body).keys()]).toEqual(['bobs/foo.txt']);
    // Alice's cart is untouched.
    expect([...untar((await cart('GET', uid, alice)).body).keys()]).toHaveLength(3);
  });

  it('refuses a second cart under a uid in use (409) until it is deleted', async () => {
    const again = await cart('POST', uid, alice, { body: JSON.stringify(FOO_JSON) });
    expect(again.status).toBe(409);
  });

  it('deletes a cart: 200 with a message, then 404 for HEAD, GET and DELETE', async () => {
    const del = await cart('DELETE', uid, alice);
    expect(del.status).toBe(200);
    expect(del.json).toEqual({ message: 'Cart Deleted Successfully' });
    expect((await cart('HEAD', uid, alice)).status).toBe(404);
    expect(await cart('GET', uid, alice)).toMatchObject({ status: 404, json: { message: 'The cart does not exist or has already been deleted' } });
    expect((await cart('DELETE', uid, alice)).status).toBe(404);
    // The uid is free again.
    expect((await cart('POST', uid, alice, { body: JSON.stringify(FOO_JSON) })).status).toBe(201);
  });

  it('answers cartd-style 400s for a bad uid or unreadable JSON, and keeps our path rules', async () => {
    expect(await cart('POST', 'bad uid!', alice, { body: JSON.stringify(FOO_JSON) })).toMatchObject({ status: 400, json: { message: 'The uid was not valid' } });
    expect(await cart('POST', 'c-json', alice, { body: '{"fileids": [' })).toMatchObject({ status: 400, json: { message: 'JSON content could not be read' } });
    expect(await cart('POST', 'c-shape', alice, { body: JSON.stringify({ files: [] }) })).toMatchObject({ status: 400, json: { message: 'JSON content could not be read' } });
    const escape = await cart('POST', 'c-escape', alice, { body: JSON.stringify({ fileids: [{ id: '../../../etc/passwd', path: 'p' }] }) });
    expect(escape).toMatchObject({ status: 400, json: { code: 'PATH_OUTSIDE_ROOT' } });
    const missing = await cart('POST', 'c-missing', alice, { body: JSON.stringify({ fileids: [{ id: 'nope.bin', path: 'p' }] }) });
    expect(missing).toMatchObject({ status: 400, json: { code: 'SOURCE_NOT_FOUND' } });
    expect((await cart('HEAD', 'c-escape', alice)).status).toBe(404);
  });

  it('needs a Bearer token', async () => {
    const res = await cart('POST', 'anon-cart', undefined, { body: JSON.stringify(FOO_JSON) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect((await cart('HEAD', 'anon-cart')).headers.get('x-pacifica-status')).toBe('error');
  });
});

describe('Pacifica carts before they are ready', () => {
  it('answers waiting and 202 "The cart is not ready for download." while queued, and DELETE cancels', async () => {
    // A second server without a job runner: the cart stays queued for as long as the test looks.
    const idleDb = await createTestDatabase();
    const idle = await startTestServer(idleDb.orm, {});
    const carol = await userWithToken(idleDb.orm, { email: 'carol@example.org' });
    await fs.writeFile(path.join(idle.dataDir, 'sites', 'archive', 'foo.txt'), 'foo');
    const call = (method: string) => fetch(`${idle.url}/carts/queued-1`, { method, headers: { ...auth(carol), 'content-type': 'application/json' }, body: method === 'POST' ? JSON.stringify({ fileids: [{ id: 'foo.txt', path: 'x/foo.txt' }] }) : undefined });
    expect((await call('POST')).status).toBe(201);
    const head = await call('HEAD');
    expect(head.status).toBe(204);
    expect(head.headers.get('x-pacifica-status')).toBe('waiting');
    const get = await call('GET');
    expect(get.status).toBe(202);
    expect(await get.json()).toEqual({ message: 'The cart is not ready for download.' });
    expect((await call('DELETE')).status).toBe(200);
    const r = await idleDb.orm.em.fork().findOneOrFail(StagingRequest, { owner: carol.id });
    expect(r.status).toBe('CANCELLED');
    expect(r.expiryReason).toBe('DELETED');
  });
});
