import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, userWithToken, waitForRequest, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';

let db: TestDatabase;
let server: TestServer;
let archive: string;
type U = { id: string; email: string; token: string };
let alice: U;
let dora: U;
let admin: U;

const STAGE = `mutation($input: StageInput!) { stage(input: $input) { id } }`;

/** Stages with DIRECT_DOWNLOAD, waits for it and returns its download link. */
async function downloadUrl(user: U, items: { source: string }[]): Promise<string> {
  const res = await server.gql<{ stage: { id: string } }>(STAGE, { input: { method: 'DIRECT_DOWNLOAD', items } }, user.token);
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  await waitForRequest(server, user.token, res.data.stage.id);
  const q = await server.gql<{ stagingRequest: { downloadUrl: string } }>(`query($id: ID!) { stagingRequest(id: $id) { downloadUrl } }`, { id: res.data.stage.id }, user.token);
  return q.data!.stagingRequest.downloadUrl;
}

/** Everything the server sent, and whether the response ended cleanly or was cut off (status 0: no response at all). */
function fetchRaw(url: string): Promise<{ status: number; body: Buffer; complete: boolean }> {
  return new Promise((resolve) => {
    http
      .get(url, (r) => {
        const chunks: Buffer[] = [];
        let complete = false;
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => (complete = true));
        r.on('error', () => undefined);
        r.on('close', () => resolve({ status: r.statusCode ?? 0, body: Buffer.concat(chunks), complete: complete && r.complete }));
      })
      .on('error', () => resolve({ status: 0, body: Buffer.alloc(0), complete: false }));
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm, {}, { dbUrl: db.url });
  archive = path.join(server.dataDir, 'sites', 'archive');
  alice = await userWithToken(db.orm, { email: 'alice@example.org' });
  dora = await userWithToken(db.orm, { email: 'dora@example.org' });
  admin = await userWithToken(db.orm, { email: 'root@example.org', role: 'ADMIN' });
  await fs.mkdir(path.join(archive, 'dl'), { recursive: true });
});

describe('download links and their owner', () => {
  it('stop working once the owner is disabled: 403 FORBIDDEN for files and bundles', async () => {
    await fs.writeFile(path.join(archive, 'dl', 'one.txt'), 'one');
    await fs.mkdir(path.join(archive, 'dl', 'pair'), { recursive: true });
    await fs.writeFile(path.join(archive, 'dl', 'pair', 'x.txt'), 'x');
    await fs.writeFile(path.join(archive, 'dl', 'pair', 'y.txt'), 'y');
    const single = await downloadUrl(dora, [{ source: 'dl/one.txt' }]);
    const bundle = await downloadUrl(dora, [{ source: 'dl/pair' }]);
    expect((await fetch(single)).status).toBe(200);
    expect((await fetch(bundle)).status).toBe(200);

    const off = await server.gql(`mutation($id: ID!) { disableUser(id: $id) { status } }`, { id: dora.id }, admin.token);
    expect(off.errors).toBeUndefined();
    for (const url of [single, bundle]) {
      const r = await fetch(url);
      expect(r.status).toBe(403);
      expect(await r.json()).toEqual({ error: { code: 'FORBIDDEN', message: expect.stringMatching(/disabled/) } });
    }
  });
});

describe('single-file downloads', () => {
  it('take their ETag from the file as it is now, and never splice a stale If-Range', async () => {
    const file = path.join(archive, 'dl', 'live.bin');
    await fs.writeFile(file, Buffer.alloc(4096, 'a'));
    const url = await downloadUrl(alice, [{ source: 'dl/live.bin' }]);
    const checksum = createHash('sha256').update(Buffer.alloc(4096, 'a')).digest('hex');
    const first = (await fetch(url, { method: 'HEAD' })).headers.get('etag');
    expect(first).toMatch(/^"[^"]+"$/);
    expect(first).not.toContain(checksum);

    // Rewritten in place with the same size: a new version, so a new ETag.
    await new Promise((r) => setTimeout(r, 20));
    await fs.writeFile(file, Buffer.alloc(4096, 'b'));
    const second = (await fetch(url, { method: 'HEAD' })).headers.get('etag');
    expect(second).not.toBe(first);

    // A client resuming the old version gets the whole new file, not a splice of both.
    const stale = await fetch(url, { headers: { range: 'bytes=100-199', 'if-range': first! } });
    expect(stale.status).toBe(200);
    expect(Buffer.from(await stale.arrayBuffer()).equals(Buffer.alloc(4096, 'b'))).toBe(true);
    // A date is too weak to prove the bytes are the same: whole file too.
    const dated = await fetch(url, { headers: { range: 'bytes=100-199', 'if-range': new Date(Date.now() + 60_000).toUTCString() } });
    expect(dated.status).toBe(200);

    const fresh = await fetch(url, { headers: { range: 'bytes=100-199', 'if-range': second! } });
    expect(fresh.status).toBe(206);
    expect(fresh.headers.get('content-range')).toBe('bytes 100-199/4096');
    expect(Buffer.from(await fresh.arrayBuffer()).equals(Buffer.alloc(100, 'b'))).toBe(true);
    // (fetch would add Cache-Control: no-cache to a conditional request: ask like a browser cache does.)
    const revalidated = await new Promise<number>((resolve, reject) => {
      http.get(url, { headers: { 'if-none-match': second! } }, (r) => resolve(r.resume().statusCode ?? 0)).on('error', reject);
    });
    expect(revalidated).toBe(304);
    expect((await fetch(url, { headers: { range: 'bytes=5000-6000' } })).status).toBe(416);
  });
});

describe('tar bundles', () => {
  it('fail before streaming an entry whose file grew since staging, and never send its extra bytes', async () => {
    await fs.mkdir(path.join(archive, 'dl', 'grow'), { recursive: true });
    await fs.writeFile(path.join(archive, 'dl', 'grow', 'a.txt'), Buffer.alloc(600, 'a'));
    await fs.writeFile(path.join(archive, 'dl', 'grow', 'b.txt'), Buffer.alloc(600, 'b'));
    const url = await downloadUrl(alice, [{ source: 'dl/grow' }]);
    await fs.appendFile(path.join(archive, 'dl', 'grow', 'b.txt'), 'OVERFLOW-MARKER');
    const r = await fetchRaw(url);
    expect(r.complete).toBe(false);
    expect(r.body.includes('OVERFLOW-MARKER')).toBe(false);
    // Nothing of b.txt was sent: the bundle stops after a.txt.
    expect(r.body.includes(Buffer.alloc(600, 'b'))).toBe(false);
  });

  it('answer 410 before anything is sent when the first entry changed since staging', async () => {
    await fs.mkdir(path.join(archive, 'dl', 'shrink'), { recursive: true });
    await fs.writeFile(path.join(archive, 'dl', 'shrink', 'a.txt'), Buffer.alloc(600, 'a'));
    await fs.writeFile(path.join(archive, 'dl', 'shrink', 'b.txt'), Buffer.alloc(600, 'b'));
    const url = await downloadUrl(alice, [{ source: 'dl/shrink' }]);
    await fs.writeFile(path.join(archive, 'dl', 'shrink', 'a.txt'), 'short');
    const r = await fetch(url);
    expect(r.status).toBe(410);
    expect(await r.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringMatching(/changed since it was staged/) } });
  });
});
