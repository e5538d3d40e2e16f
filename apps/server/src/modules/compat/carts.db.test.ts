import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '@stagecoach/storage/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, userWithToken, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { StagingRequest } from '../staging/staging-request.entity';
import { Cart } from './cart.entity';
import { bundleCart } from './cart.tasks';

let db: TestDatabase;
let server: TestServer;
/** The cartd base URL clients already have, with only the host changed. */
let cartd: string;
let archive: string;
type U = { id: string; email: string; token: string };
let alice: U;
let bob: U;
let pending: U;

const auth = (u: U) => ({ authorization: `Bearer ${u.token}` });
const em = () => db.orm.em.fork();
const sha = (algo: string, s: string) => createHash(algo).update(s).digest('hex');

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm, { CARTD_PORT: String(await freePort()) }, { dbUrl: db.url });
  cartd = `http://127.0.0.1:${server.config.cartdPort}`;
  archive = path.join(server.dataDir, 'sites', 'archive');
  alice = await userWithToken(db.orm, { email: 'alice@example.org' });
  bob = await userWithToken(db.orm, { email: 'bob@example.org' });
  pending = await userWithToken(db.orm, { email: 'pat@example.org', status: 'PENDING' });
  // The Pacifica README's cart: three archive files placed under 1/2/3 and 2/3/4 in the bundle.
  for (const [name, body] of [
    ['foo.txt', 'foo'],
    ['bar.csv', 'a,b\n1,2\n'],
    ['baz.ini', '[x]\ny=1\n'],
    ['42', 'file number forty-two'],
    ['103', 'file 103'],
  ])
    await fs.writeFile(path.join(archive, name!), body!);
});

/** The Pacifica README's example cart (foo.json). */
const FOO_JSON = {
  fileids: [
    { id: 'foo.txt', path: '1/2/3/foo.txt' },
    { id: 'bar.csv', path: '1/2/3/bar.csv' },
    { id: 'baz.ini', path: '2/3/4/baz.ini' },
  ],
};

interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown> | null;
  body: Buffer;
}

/**
 * One request as cartd's clients send it: `curl -X POST --upload-file foo.json <base>/<uid>` (no
 * content type), `curl -X HEAD`, `curl <base>/<uid>?filename=…`, `curl -X DELETE`; plus our token.
 */
async function call(
  base: string,
  method: string,
  uid: string,
  user?: U,
  opts: { body?: string; query?: string } = {},
): Promise<Answer> {
  const res = await fetch(`${base}/${uid}${opts.query ?? ''}`, { method, headers: user ? auth(user) : {}, body: opts.body });
  const buf = Buffer.from(await res.arrayBuffer());
  let json: Record<string, unknown> | null;
  try {
    json = JSON.parse(buf.toString()) as Record<string, unknown>;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, json, body: buf };
}
const cart = (method: string, uid: string, user?: U, opts?: { body?: string; query?: string }) =>
  call(`${server.url}/carts`, method, uid, user, opts);
const root = (method: string, uid: string, user?: U, opts?: { body?: string; query?: string }) =>
  call(cartd, method, uid, user, opts);

/** HEAD until the cart leaves waiting/staging/bundling. */
async function waitForCart(uid: string, user: U, base = cartd): Promise<{ status: number; headers: Headers }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await call(base, 'HEAD', uid, user);
    if (!['waiting', 'staging', 'bundling'].includes(r.headers.get('x-pacifica-status') ?? '') || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Names and contents of a ustar archive's regular files. */
function untar(buf: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  for (let off = 0; off + 512 <= buf.length;) {
    const name = buf
      .subarray(off, off + 100)
      .toString()
      .replace(/\0.*$/s, '');
    if (!name) break;
    const prefix = buf
      .subarray(off + 345, off + 500)
      .toString()
      .replace(/\0.*$/s, '');
    const size = parseInt(
      buf
        .subarray(off + 124, off + 136)
        .toString()
        .replace(/\0.*$/s, '')
        .trim(),
      8,
    );
    out.set(prefix ? `${prefix}/${name}` : name, buf.subarray(off + 512, off + 512 + size).toString());
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** cartd's error body. */
const cartdError = (status: string, message: string | RegExp) => ({
  status,
  message,
  traceback: '',
  version: expect.any(String),
});

describe('cartd at the root of CARTD_PORT (clients change only the host)', () => {
  const uid = '0c6c1b1e-5b0d-4e1c-8d43-root00000001';

  it('answers GET / like cartd: "Pacifica Cartd Interface Up and Running"', async () => {
    const res = await fetch(`${cartd}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ message: 'Pacifica Cartd Interface Up and Running' });
  });

  it('replays the README: POST foo.json, HEAD until ready, GET the tar under ?filename=, DELETE', async () => {
    const created = await root('POST', uid, alice, { body: JSON.stringify(FOO_JSON) });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ message: 'Cart Processing has begun' });
    const head = await waitForCart(uid, alice);
    expect(head.status).toBe(204);
    expect(head.headers.get('x-pacifica-status')).toBe('ready');
    expect(head.headers.get('x-pacifica-message')).toBe('');
    const got = await root('GET', uid, alice, { query: '?filename=my_cart.tar' });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-disposition')).toBe('attachment; filename="my_cart.tar"');
    expect(Object.fromEntries(untar(got.body))).toEqual({
      '1/2/3/foo.txt': 'foo',
      '1/2/3/bar.csv': 'a,b\n1,2\n',
      '2/3/4/baz.ini': '[x]\ny=1\n',
    });
    // The same cart is /carts/<uid> on the main port.
    expect((await cart('HEAD', uid, alice)).headers.get('x-pacifica-status')).toBe('ready');
    expect(await root('DELETE', uid, alice)).toMatchObject({ status: 200, json: { message: 'Cart Deleted Successfully' } });
    expect(await root('GET', uid, alice)).toMatchObject({
      status: 404,
      json: cartdError('404 Not Found', 'The cart does not exist or has already been deleted'),
    });
    expect(await em().count(Cart, { uid })).toBe(0);
  });

  it("answers JSON errors in cartd's shape on its port: no token 401, pending 403, unknown paths 404", async () => {
    const anon = await root('POST', 'anon-cart', undefined, { body: JSON.stringify(FOO_JSON) });
    expect(anon).toMatchObject({ status: 401, json: cartdError('401 Unauthorized', /Not authenticated/) });
    expect(anon.headers.get('www-authenticate')).toBe('Bearer');
    expect((await root('HEAD', 'anon-cart')).headers.get('x-pacifica-status')).toBe('error');
    expect(await root('POST', 'pending-cart', pending, { body: JSON.stringify(FOO_JSON) })).toMatchObject({
      status: 403,
      json: { status: '403 Forbidden' },
    });
    expect(await em().count(StagingRequest, { owner: pending.id })).toBe(0);
    expect(await root('GET', 'a/b', alice)).toMatchObject({
      status: 404,
      json: cartdError('404 Not Found', 'Nothing matches the given URI'),
    });
    expect(await root('PUT', uid, alice, { body: '{}' })).toMatchObject({
      status: 405,
      json: { status: '405 Method Not Allowed' },
    });
  });
});

describe('Pacifica carts', () => {
  const uid = '6f1f5d8c-1f0e-4c59-9a3e-cart00000001';

  it('creates a cart (201 "Cart Processing has begun"), reports ready, and streams the tar under the given filename', async () => {
    const created = await cart('POST', uid, alice, { body: JSON.stringify(FOO_JSON) });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ message: 'Cart Processing has begun' });
    const head = await waitForCart(uid, alice, `${server.url}/carts`);
    expect(head.status).toBe(204);
    expect(head.headers.get('x-pacifica-status')).toBe('ready');
    const got = await cart('GET', uid, alice, { query: '?filename=my_cart.tar' });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/x-tar');
    expect(Object.fromEntries(untar(got.body))).toEqual({
      '1/2/3/foo.txt': 'foo',
      '1/2/3/bar.csv': 'a,b\n1,2\n',
      '2/3/4/baz.ini': '[x]\ny=1\n',
    });
  });

  it('names the tar data_YYYY_MM_DD_HH_MM_SS.tar without a filename, and never lets a filename carry a path', async () => {
    const plain = await cart('GET', uid, alice);
    expect(plain.headers.get('content-disposition')).toMatch(
      /^attachment; filename="data_\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.tar"$/,
    );
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

  it('keeps one cart when the same POST is retried (201 again, no second request)', async () => {
    const before = await em().count(StagingRequest, { owner: alice.id });
    const again = await cart('POST', uid, alice, { body: JSON.stringify(FOO_JSON) });
    expect(again).toMatchObject({ status: 201, json: { message: 'Cart Processing has begun' } });
    expect(await em().count(StagingRequest, { owner: alice.id })).toBe(before);
    expect((await cart('HEAD', uid, alice)).headers.get('x-pacifica-status')).toBe('ready');
  });

  it('replaces the cart when its uid is POSTed with other files (the newest wins), and retires the old request', async () => {
    const old = (await em().findOneOrFail(Cart, { owner: alice.id, uid })).request.id;
    const replaced = await cart('POST', uid, alice, {
      body: JSON.stringify({ fileids: [{ id: 'baz.ini', path: 'only/baz.ini' }] }),
    });
    expect(replaced.status).toBe(201);
    expect((await waitForCart(uid, alice)).headers.get('x-pacifica-status')).toBe('ready');
    expect(Object.fromEntries(untar((await cart('GET', uid, alice)).body))).toEqual({ 'only/baz.ini': '[x]\ny=1\n' });
    expect(await em().count(Cart, { owner: alice.id, uid })).toBe(1);
    const previous = await em().findOneOrFail(StagingRequest, { id: old });
    expect(previous.expiryReason).toBe('DELETED');
    expect(previous.idempotencyKey).toBeNull();
  });

  it('takes integer ids (the archive file of that number) as well as strings', async () => {
    const res = await root('POST', 'numbered', alice, {
      body: JSON.stringify({
        fileids: [
          { id: 42, path: 'data/42.dat' },
          { id: '103', path: 'data/103.dat' },
        ],
      }),
    });
    expect(res.status).toBe(201);
    expect((await waitForCart('numbered', alice)).headers.get('x-pacifica-status')).toBe('ready');
    expect(Object.fromEntries(untar((await root('GET', 'numbered', alice)).body))).toEqual({
      'data/42.dat': 'file number forty-two',
      'data/103.dat': 'file 103',
    });
  });

  it('is ready when every hashsum matches (sha1 read again, sha256 from staging)', async () => {
    const body = {
      fileids: [
        { id: 'foo.txt', path: 'x/foo.txt', hashtype: 'sha1', hashsum: sha('sha1', 'foo') },
        { id: 'bar.csv', path: 'x/bar.csv', hashtype: 'sha256', hashsum: sha('sha256', 'a,b\n1,2\n').toUpperCase() },
        { id: 'baz.ini', path: 'x/baz.ini' },
      ],
    };
    expect((await root('POST', 'hashed-ok', alice, { body: JSON.stringify(body) })).status).toBe(201);
    const head = await waitForCart('hashed-ok', alice);
    expect(head.headers.get('x-pacifica-status')).toBe('ready');
    expect((await root('GET', 'hashed-ok', alice)).status).toBe(200);
  });

  it("puts the cart in error with a message when a hashsum does not match, and GET answers 500 in cartd's shape", async () => {
    const body = { fileids: [{ id: 'foo.txt', path: 'x/foo.txt', hashtype: 'md5', hashsum: sha('md5', 'not foo') }] };
    expect((await root('POST', 'hashed-bad', alice, { body: JSON.stringify(body) })).status).toBe(201);
    const head = await waitForCart('hashed-bad', alice);
    expect(head.status).toBe(500);
    expect(head.headers.get('x-pacifica-status')).toBe('error');
    expect(head.headers.get('x-pacifica-message')).toBe(
      `Checksum mismatch: foo.txt: md5 is ${sha('md5', 'foo')}, not ${sha('md5', 'not foo')} as the cart says`,
    );
    const got = await root('GET', 'hashed-bad', alice);
    expect(got).toMatchObject({ status: 500, json: cartdError('500 Internal Server Error', /^Checksum mismatch: foo\.txt/) });
    expect((await em().findOneOrFail(Cart, { owner: alice.id, uid: 'hashed-bad' })).bundleState).toBe('error');
  });

  it('answers cartd-style 400s for a bad uid, unreadable JSON, bad ids or checksums, and keeps our path rules', async () => {
    expect(await cart('POST', 'bad uid!', alice, { body: JSON.stringify(FOO_JSON) })).toMatchObject({
      status: 400,
      json: cartdError('400 Bad Request', 'The uid was not valid'),
    });
    expect(await cart('POST', 'c-json', alice, { body: '{"fileids": [' })).toMatchObject({
      status: 400,
      json: { message: 'JSON content could not be read' },
    });
    expect(await cart('POST', 'c-shape', alice, { body: JSON.stringify({ files: [] }) })).toMatchObject({
      status: 400,
      json: { message: 'JSON content could not be read' },
    });
    expect(await cart('POST', 'c-id', alice, { body: JSON.stringify({ fileids: [{ id: 1.5, path: 'p' }] }) })).toMatchObject({
      status: 400,
      json: { message: 'fileids[0].id must be a non-negative integer or a non-empty string' },
    });
    expect(
      await cart('POST', 'c-hash', alice, {
        body: JSON.stringify({ fileids: [{ id: 'foo.txt', path: 'p', hashtype: 'crc-99', hashsum: 'abcdef01' }] }),
      }),
    ).toMatchObject({ status: 400 });
    expect(
      await cart('POST', 'c-half', alice, {
        body: JSON.stringify({ fileids: [{ id: 'foo.txt', path: 'p', hashsum: 'abcdef01' }] }),
      }),
    ).toMatchObject({ status: 400 });
    const escape = await cart('POST', 'c-escape', alice, {
      body: JSON.stringify({ fileids: [{ id: '../../../etc/passwd', path: 'p' }] }),
    });
    expect(escape).toMatchObject({ status: 400, json: { code: 'PATH_OUTSIDE_ROOT' } });
    const missing = await cart('POST', 'c-missing', alice, {
      body: JSON.stringify({ fileids: [{ id: 'nope.bin', path: 'p' }] }),
    });
    expect(missing).toMatchObject({ status: 400, json: { code: 'SOURCE_NOT_FOUND' } });
    expect((await cart('HEAD', 'c-escape', alice)).status).toBe(404);
  });

  it('deletes a cart: 200 with a message, then 404 for HEAD, GET and DELETE, and the uid is free again', async () => {
    const del = await cart('DELETE', uid, alice);
    expect(del).toMatchObject({ status: 200, json: { message: 'Cart Deleted Successfully' } });
    expect((await cart('HEAD', uid, alice)).status).toBe(404);
    expect(await cart('GET', uid, alice)).toMatchObject({
      status: 404,
      json: { message: 'The cart does not exist or has already been deleted' },
    });
    expect((await cart('DELETE', uid, alice)).status).toBe(404);
    expect((await cart('POST', uid, alice, { body: JSON.stringify(FOO_JSON) })).status).toBe(201);
    expect((await waitForCart(uid, alice)).headers.get('x-pacifica-status')).toBe('ready');
  });

  it('answers JSON 404s below /carts on the main port, never the web app', async () => {
    expect(await cart('GET', 'x/y', alice)).toMatchObject({ status: 404, json: { status: '404 Not Found' } });
    const bare = await fetch(`${server.url}/carts`, { headers: auth(alice) });
    expect(bare.status).toBe(404);
    expect(bare.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('Pacifica carts before they are ready', () => {
  it('answers waiting, then bundling once staged, with 202 "The cart is not ready for download." as plain text; DELETE cancels', async () => {
    // A second server without a job runner: the cart stays where the test puts it.
    const idleDb = await createTestDatabase();
    const idle = await startTestServer(idleDb.orm, {});
    const carol = await userWithToken(idleDb.orm, { email: 'carol@example.org' });
    await fs.writeFile(path.join(idle.dataDir, 'sites', 'archive', 'foo.txt'), 'foo');
    const call = (method: string) =>
      fetch(`${idle.url}/carts/queued-1`, {
        method,
        headers: auth(carol),
        body:
          method === 'POST'
            ? JSON.stringify({ fileids: [{ id: 'foo.txt', path: 'x/foo.txt', hashtype: 'sha1', hashsum: sha('sha1', 'foo') }] })
            : undefined,
      });
    expect((await call('POST')).status).toBe(201);
    const head = await call('HEAD');
    expect(head.status).toBe(204);
    expect(head.headers.get('x-pacifica-status')).toBe('waiting');
    const get = await call('GET');
    expect(get.status).toBe(202);
    expect(get.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await get.text()).toBe('The cart is not ready for download.');

    // Staged but not yet bundled (its cart_bundle job has not run): bundling.
    await idleDb.orm.em.fork().nativeUpdate(StagingRequest, { owner: carol.id }, { status: 'SUCCEEDED' });
    expect((await call('HEAD')).headers.get('x-pacifica-status')).toBe('bundling');
    expect((await call('GET')).status).toBe(202);
    const c = await idleDb.orm.em.fork().findOneOrFail(Cart, { uid: 'queued-1' });
    expect(c.bundleState).toBeNull();
    expect(c.checks).toEqual([{ source: 'foo.txt', hashtype: 'sha1', hashsum: sha('sha1', 'foo') }]);
    await bundleCart(idle.container, c.id);
    expect((await call('HEAD')).headers.get('x-pacifica-status')).toBe('ready');

    expect((await call('DELETE')).status).toBe(200);
    const r = await idleDb.orm.em.fork().findOneOrFail(StagingRequest, { owner: carol.id });
    expect(r.expiryReason).toBe('DELETED');
  });

  it("charges POST and DELETE to the GraphQL mutation budget: 429 in cartd's shape with Retry-After", async () => {
    const limitedDb = await createTestDatabase();
    const limited = await startTestServer(limitedDb.orm, { RATE_LIMIT_MUTATION_BURST: '2', RATE_LIMIT_MUTATIONS: '1' });
    const erin = await userWithToken(limitedDb.orm, { email: 'erin@example.org' });
    await fs.writeFile(path.join(limited.dataDir, 'sites', 'archive', 'foo.txt'), 'foo');
    const body = JSON.stringify({ fileids: [{ id: 'foo.txt', path: 'x/foo.txt' }] });
    expect((await call(`${limited.url}/carts`, 'POST', 'limited-1', erin, { body })).status).toBe(201);
    expect((await call(`${limited.url}/carts`, 'DELETE', 'limited-1', erin)).status).toBe(200);
    const refused = await call(`${limited.url}/carts`, 'POST', 'limited-2', erin, { body });
    expect(refused).toMatchObject({
      status: 429,
      json: { status: '429 Too Many Requests', code: 'RATE_LIMITED', traceback: '' },
    });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limitedDb.orm.em.fork().count(Cart, { uid: 'limited-2' })).toBe(0);
  });

  it('cancels a queued cart when it is deleted', async () => {
    const idleDb = await createTestDatabase();
    const idle = await startTestServer(idleDb.orm, {});
    const dave = await userWithToken(idleDb.orm, { email: 'dave@example.org' });
    await fs.writeFile(path.join(idle.dataDir, 'sites', 'archive', 'foo.txt'), 'foo');
    const call = (method: string) =>
      fetch(`${idle.url}/carts/queued-2`, {
        method,
        headers: auth(dave),
        body: method === 'POST' ? JSON.stringify({ fileids: [{ id: 'foo.txt', path: 'x/foo.txt' }] }) : undefined,
      });
    expect((await call('POST')).status).toBe(201);
    expect((await call('DELETE')).status).toBe(200);
    const r = await idleDb.orm.em.fork().findOneOrFail(StagingRequest, { owner: dave.id });
    expect(r.status).toBe('CANCELLED');
    expect(r.expiryReason).toBe('DELETED');
  });
});
