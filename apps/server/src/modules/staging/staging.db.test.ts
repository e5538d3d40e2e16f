import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import tar from 'tar-stream';
import { createClient } from 'graphql-ws';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { walkCounters } from '@stagecoach/storage';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { startTestServer, userWithToken, waitForRequest, type TestServer } from '../../../test/app';
import { StagingRequest } from './staging-request.entity';

let db: TestDatabase;
let server: TestServer;
let archive: string;
let users: string;
let alice: { id: string; email: string; token: string };
let bob: { id: string; email: string; token: string };
let admin: { id: string; email: string; token: string };

const sha256 = async (p: string) => createHash('sha256').update(await fs.readFile(p)).digest('hex');

const STAGE = `mutation($input: StageInput!) { stage(input: $input) { id status filesTotal bytesTotal } }`;

async function stage(token: string, input: Record<string, unknown>) {
  return server.gql<{ stage: { id: string; status: string; filesTotal: number } }>(STAGE, { input }, token);
}

async function requestCount() {
  return db.orm.em.fork().count(StagingRequest, {});
}

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm, { FILE_TOOL: 'users' }, { dbUrl: db.url });
  archive = path.join(server.dataDir, 'sites', 'archive');
  users = path.join(server.dataDir, 'sites', 'users');
  alice = await userWithToken(db.orm, { email: 'alice@example.org' });
  bob = await userWithToken(db.orm, { email: 'bob@example.org' });
  admin = await userWithToken(db.orm, { email: 'root@example.org', role: 'ADMIN' });
  await fs.mkdir(path.join(archive, 'set'), { recursive: true });
  for (const [name, size] of [['a.bin', 1000], ['b.bin', 300_000], ['c.txt', 5]] as const) {
    await fs.writeFile(path.join(archive, 'set', name), Buffer.alloc(size, name));
  }
});

describe('stage with LOCAL_COPY', () => {
  it('copies three files byte-identical and read-only, then skips them when staged again', async () => {
    const items = ['set/a.bin', 'set/b.bin', 'set/c.txt'].map((source) => ({ source }));
    const res = await stage(alice.token, { method: 'LOCAL_COPY', items });
    expect(res.errors).toBeUndefined();
    expect(res.data!.stage).toMatchObject({ status: 'QUEUED', filesTotal: 3, bytesTotal: 301_005 });
    const done = await waitForRequest<{ status: string; filesDone: number }>(server, alice.token, res.data!.stage.id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', filesDone: 3 });
    for (const name of ['a.bin', 'b.bin', 'c.txt']) {
      const target = path.join(users, 'alice', 'set', name);
      expect(await sha256(target)).toBe(await sha256(path.join(archive, 'set', name)));
      expect((await fs.stat(target)).mode & 0o222).toBe(0);
    }
    // No temporary files remain beside the targets.
    expect((await fs.readdir(path.join(users, 'alice', 'set'))).sort()).toEqual(['a.bin', 'b.bin', 'c.txt']);

    const files = await server.gql<{ stagingRequest: { files: { nodes: { checksum: string; status: string }[] } } }>(
      `query($id: ID!) { stagingRequest(id: $id) { files { nodes { status checksum } } } }`,
      { id: res.data!.stage.id },
      alice.token,
    );
    expect(files.data!.stagingRequest.files.nodes[0]!.checksum).toBe(await sha256(path.join(archive, 'set', 'a.bin')));

    const again = await stage(alice.token, { method: 'LOCAL_COPY', items });
    const second = await waitForRequest<{ status: string; filesSkipped: number; filesDone: number }>(server, alice.token, again.data!.stage.id);
    expect(second).toMatchObject({ status: 'SUCCEEDED', filesSkipped: 3, filesDone: 0 });
  });

  it('fails a file whose different target already exists with TARGET_EXISTS', async () => {
    await fs.mkdir(path.join(users, 'bob', 'set'), { recursive: true });
    await fs.writeFile(path.join(users, 'bob', 'set', 'c.txt'), 'mine!');
    const res = await stage(bob.token, { method: 'LOCAL_COPY', items: [{ source: 'set/c.txt' }, { source: 'set/a.bin' }] });
    const r = await waitForRequest(server, bob.token, res.data!.stage.id);
    expect(r.status).toBe('PARTIALLY_SUCCEEDED');
    const failed = await server.gql<{ stagingRequest: { files: { nodes: { source: string; error: { code: string; message: string } }[] } } }>(
      `query($id: ID!) { stagingRequest(id: $id) { files(status: [FAILED]) { nodes { source error { code message } } } } }`,
      { id: res.data!.stage.id },
      bob.token,
    );
    expect(failed.data!.stagingRequest.files.nodes).toEqual([{ source: 'set/c.txt', error: { code: 'TARGET_EXISTS', message: expect.stringContaining('different content') } }]);
    expect(await fs.readFile(path.join(users, 'bob', 'set', 'c.txt'), 'utf8')).toBe('mine!');
  });

  it('expands folders and honours the target folder', async () => {
    const res = await stage(alice.token, { method: 'LOCAL_COPY', items: [{ source: 'set', target: 'copies/run1' }] });
    expect(res.data!.stage.filesTotal).toBe(3);
    await waitForRequest(server, alice.token, res.data!.stage.id);
    expect((await fs.readdir(path.join(users, 'alice', 'copies', 'run1'))).sort()).toEqual(['a.bin', 'b.bin', 'c.txt']);
  });

  it('returns the same request for the same idempotency key', async () => {
    const input = { method: 'LOCAL_COPY', items: [{ source: 'set/c.txt', target: 'idem/c.txt' }], idempotencyKey: 'k-1' };
    const a = await stage(alice.token, input);
    const b = await stage(alice.token, input);
    expect(b.data!.stage.id).toBe(a.data!.stage.id);
  });
});

describe('stage validation', () => {
  it.each([['../x'], ['/etc/passwd'], ['set/../../x'], ['a\u0000b']])('rejects %j with PATH_OUTSIDE_ROOT and queues nothing', async (source) => {
    const before = await requestCount();
    const res = await stage(alice.token, { method: 'LOCAL_COPY', items: [{ source: 'set/a.bin' }, { source }] });
    expect(res.errors?.[0]?.extensions?.code).toBe('PATH_OUTSIDE_ROOT');
    expect(res.errors?.[0]?.extensions?.items).toEqual([expect.objectContaining({ index: 1, source, code: 'PATH_OUTSIDE_ROOT' })]);
    expect(await requestCount()).toBe(before);
  });

  it('refuses a folder larger than MAX_ITEMS_PER_REQUEST after reading at most max + 1 entries, across all items', async () => {
    const small = await startTestServer(db.orm, { FILE_TOOL: 'users', MAX_ITEMS_PER_REQUEST: '5' });
    const smallArchive = path.join(small.dataDir, 'sites', 'archive');
    await fs.mkdir(path.join(smallArchive, 'huge'), { recursive: true });
    await fs.mkdir(path.join(smallArchive, 'three'), { recursive: true });
    for (let i = 0; i < 1000; i++) await fs.writeFile(path.join(smallArchive, 'huge', `f${i}`), '');
    for (let i = 0; i < 3; i++) await fs.writeFile(path.join(smallArchive, 'three', `g${i}`), 'x');
    const before = walkCounters.entriesRead;
    const res = await small.gql(STAGE, { input: { method: 'LOCAL_COPY', items: [{ source: 'three' }, { source: 'huge' }] } }, alice.token);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/at most 5/);
    expect(walkCounters.entriesRead - before).toBeLessThanOrEqual(6);
    // Within the limit, folders still expand in full.
    const ok = await small.gql<{ stage: { filesTotal: number } }>(STAGE, { input: { method: 'LOCAL_COPY', items: [{ source: 'three' }] } }, alice.token);
    expect(ok.data?.stage.filesTotal).toBe(3);
  });

  it('rejects a symlink leading out of the root', async () => {
    await fs.symlink('/etc', path.join(archive, 'escape')).catch(() => undefined);
    const res = await stage(alice.token, { method: 'LOCAL_COPY', items: [{ source: 'escape/passwd' }] });
    expect(res.errors?.[0]?.extensions?.code).toBe('PATH_OUTSIDE_ROOT');
  });

  it('rejects a target escaping the user area', async () => {
    const res = await stage(alice.token, { method: 'LOCAL_COPY', items: [{ source: 'set/a.bin', target: '../bob/a.bin' }] });
    expect(res.errors?.[0]?.extensions?.code).toBe('PATH_OUTSIDE_ROOT');
  });

  it('lists every missing source with SOURCE_NOT_FOUND and queues nothing', async () => {
    const before = await requestCount();
    const res = await stage(alice.token, { method: 'LOCAL_COPY', items: [{ source: 'set/a.bin' }, { source: 'nope.bin' }, { source: 'set/none' }] });
    expect(res.errors?.[0]?.extensions?.code).toBe('SOURCE_NOT_FOUND');
    expect((res.errors?.[0]?.extensions?.items as { source: string }[]).map((i) => i.source)).toEqual(['nope.bin', 'set/none']);
    expect(await requestCount()).toBe(before);
  });

  it('points a duplicate target at the submitted item, not the expanded file', async () => {
    const res = await stage(alice.token, { method: 'LOCAL_COPY', items: [{ source: 'set/a.bin', target: 'dup/a.bin' }, { source: 'set', target: 'dup' }] });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.items).toEqual([expect.objectContaining({ index: 1, source: 'set/a.bin' })]);
  });

  it('refuses a method that is not allowed', async () => {
    const res = await stage(alice.token, { method: 'S3_COPY', items: [{ source: 'set/a.bin' }] });
    expect(res.errors?.[0]?.extensions?.code).toBe('METHOD_NOT_ALLOWED');
  });
});

describe('visibility', () => {
  it("answers NOT_FOUND for another user's request and shows it to admins", async () => {
    const res = await stage(alice.token, { method: 'LOCAL_SYMLINK', items: [{ source: 'set/c.txt', target: 'links/c.txt' }] });
    const id = res.data!.stage.id;
    const q = `query($id: ID!) { stagingRequest(id: $id) { id owner { email } } }`;
    expect((await server.gql(q, { id }, bob.token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await server.gql(`mutation($id: ID!) { cancelStagingRequest(id: $id) { id } }`, { id }, bob.token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await server.gql<{ stagingRequest: { owner: { email: string } } }>(q, { id }, admin.token)).data!.stagingRequest.owner.email).toBe('alice@example.org');
    const mineOnly = await server.gql<{ stagingRequests: { nodes: { id: string }[] } }>('{ stagingRequests(first: 100) { nodes { id } } }', undefined, bob.token);
    expect(mineOnly.data!.stagingRequests.nodes.map((n) => n.id)).not.toContain(id);
    const all = await server.gql('{ stagingRequests(mine: false) { totalCount } }', undefined, bob.token);
    expect(all.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('links and cancellation', () => {
  it('symlinks and hard-links into the user area', async () => {
    const s = await stage(alice.token, { method: 'LOCAL_SYMLINK', items: [{ source: 'set/a.bin', target: 'sl/a.bin' }] });
    const h = await stage(alice.token, { method: 'LOCAL_HARDLINK', items: [{ source: 'set/a.bin', target: 'hl/a.bin' }] });
    expect((await waitForRequest(server, alice.token, s.data!.stage.id)).status).toBe('SUCCEEDED');
    expect((await waitForRequest(server, alice.token, h.data!.stage.id)).status).toBe('SUCCEEDED');
    expect(await fs.readlink(path.join(users, 'alice', 'sl', 'a.bin'))).toBe(path.join(await fs.realpath(archive), 'set', 'a.bin'));
    expect((await fs.stat(path.join(users, 'alice', 'hl', 'a.bin'))).ino).toBe((await fs.stat(path.join(archive, 'set', 'a.bin'))).ino);
  });

  it('refuses to cancel a finished request with NOT_CANCELLABLE', async () => {
    const s = await stage(alice.token, { method: 'LOCAL_SYMLINK', items: [{ source: 'set/b.bin', target: 'sl2/b.bin' }] });
    await waitForRequest(server, alice.token, s.data!.stage.id);
    const res = await server.gql(`mutation($id: ID!) { cancelStagingRequest(id: $id) { id } }`, { id: s.data!.stage.id }, alice.token);
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_CANCELLABLE');
  });

  it('retries failed files once the cause is gone', async () => {
    await fs.mkdir(path.join(users, 'alice', 'retry'), { recursive: true });
    await fs.writeFile(path.join(users, 'alice', 'retry', 'c.txt'), 'different');
    const s = await stage(alice.token, { method: 'LOCAL_COPY', items: [{ source: 'set/c.txt', target: 'retry/c.txt' }] });
    expect((await waitForRequest(server, alice.token, s.data!.stage.id)).status).toBe('FAILED');
    await fs.rm(path.join(users, 'alice', 'retry', 'c.txt'));
    const r = await server.gql<{ retryStagingRequest: { status: string } }>(`mutation($id: ID!) { retryStagingRequest(id: $id) { status } }`, { id: s.data!.stage.id }, alice.token);
    expect(r.errors).toBeUndefined();
    const done = await waitForRequest<{ status: string; filesDone: number; filesFailed: number }>(server, alice.token, s.data!.stage.id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', filesDone: 1, filesFailed: 0 });
  });
});

describe('retry', () => {
  const RETRY = `mutation($id: ID!) { retryStagingRequest(id: $id) { status } }`;

  it('queues the failed files once when two retries race, and gives them fresh attempts', async () => {
    await fs.mkdir(path.join(users, 'alice', 'race'), { recursive: true });
    await fs.writeFile(path.join(users, 'alice', 'race', 'c.txt'), 'different');
    const s = await stage(alice.token, { method: 'LOCAL_COPY', items: [{ source: 'set/c.txt', target: 'race/c.txt' }] });
    const id = s.data!.stage.id;
    expect((await waitForRequest(server, alice.token, id)).status).toBe('FAILED');
    const em = db.orm.em.fork();
    await em.getConnection().execute(`update staged_files set attempts = 3 where request_id = ?`, [id]);
    await fs.rm(path.join(users, 'alice', 'race', 'c.txt'));

    const results = await Promise.all([server.gql(RETRY, { id }, alice.token), server.gql(RETRY, { id }, alice.token)]);
    expect(results.filter((r) => r.errors === undefined)).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'BAD_USER_INPUT')).toHaveLength(1);
    const done = await waitForRequest<{ status: string; filesDone: number }>(server, alice.token, id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', filesDone: 1 });
    const rows = await em.getConnection().execute<{ n: string }[]>(`select count(*) n from log_entries where request_id = ? and message like 'retrying%'`, [id]);
    expect(Number(rows[0]!.n)).toBe(1);
    const [file] = await em.getConnection().execute<{ attempts: number }[]>(`select attempts from staged_files where request_id = ?`, [id]);
    expect(file!.attempts).toBe(1);
  });
});

describe('live updates', () => {
  it('streams RUNNING then SUCCEEDED with counters rising over graphql-ws', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `live/f${i}.bin`);
    await fs.mkdir(path.join(archive, 'live'), { recursive: true });
    for (const n of names) await fs.writeFile(path.join(archive, n), Buffer.alloc(200_000, n));
    const res = await stage(alice.token, { method: 'LOCAL_COPY', items: [{ source: 'live' }] });
    const id = res.data!.stage.id;
    const client = createClient({ url: server.url.replace('http', 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${alice.token}` } });
    const seen: { status: string; filesDone: number }[] = [];
    await new Promise<void>((resolve, reject) => {
      const stop = client.subscribe<{ stagingRequestUpdated: { status: string; filesDone: number } }>(
        { query: `subscription($id: ID!) { stagingRequestUpdated(id: $id) { status filesDone } }`, variables: { id } },
        {
          next: ({ data, errors }) => {
            if (errors) return reject(new Error(JSON.stringify(errors)));
            seen.push(data!.stagingRequestUpdated);
            if (data!.stagingRequestUpdated.status === 'SUCCEEDED') {
              stop();
              resolve();
            }
          },
          error: reject,
          complete: () => resolve(),
        },
      );
    });
    await client.dispose();
    expect(seen.at(-1)).toEqual({ status: 'SUCCEEDED', filesDone: 30 });
    const done = seen.map((s) => s.filesDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(seen.some((s) => s.status === 'RUNNING' || s.status === 'QUEUED')).toBe(true);
  });

  it('answers the log of a request, oldest first, filtered by level', async () => {
    const res = await stage(alice.token, { method: 'LOCAL_SYMLINK', items: [{ source: 'set/c.txt', target: 'log/c.txt' }] });
    await waitForRequest(server, alice.token, res.data!.stage.id);
    const logs = await server.gql<{ logs: { level: string; message: string }[] }>(`query($id: ID) { logs(requestId: $id) { level message } }`, { id: res.data!.stage.id }, alice.token);
    const messages = logs.data!.logs.map((l) => l.message);
    expect(messages[0]).toMatch(/request submitted/);
    expect(messages.at(-1)).toMatch(/request succeeded/);
    expect((await server.gql(`query($id: ID) { logs(requestId: $id) { id } }`, { id: res.data!.stage.id }, bob.token)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('DIRECT_DOWNLOAD', () => {
  it('downloads the exact bytes of one file with Range and HEAD; a tampered link is 403', async () => {
    const res = await stage(alice.token, { method: 'DIRECT_DOWNLOAD', items: [{ source: 'set/b.bin' }] });
    await waitForRequest(server, alice.token, res.data!.stage.id);
    const q = await server.gql<{ stagingRequest: { downloadUrl: string; expiresAt: string } }>(`query($id: ID!) { stagingRequest(id: $id) { downloadUrl expiresAt } }`, { id: res.data!.stage.id }, alice.token);
    const url = q.data!.stagingRequest.downloadUrl;
    expect(url).toMatch(/\/download\//);
    const body = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(body.equals(await fs.readFile(path.join(archive, 'set', 'b.bin')))).toBe(true);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-disposition')).toMatch(/^attachment; filename="?b\.bin"?$/);
    // A strong ETag of the file as it is now (see modules/downloads), not the checksum at staging.
    expect(head.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    const range = await fetch(url, { headers: { range: 'bytes=10-19' } });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer()).equals((await fs.readFile(path.join(archive, 'set', 'b.bin'))).subarray(10, 20))).toBe(true);
    const tampered = url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await fetch(tampered)).status).toBe(403);
  });

  it('bundles several files into one streamed tar; an expired link is 410', async () => {
    const res = await stage(alice.token, { method: 'DIRECT_DOWNLOAD', items: [{ source: 'set' }] });
    await waitForRequest(server, alice.token, res.data!.stage.id);
    const q = await server.gql<{ stagingRequest: { downloadUrl: string } }>(`query($id: ID!) { stagingRequest(id: $id) { downloadUrl } }`, { id: res.data!.stage.id }, alice.token);
    const r = await fetch(q.data!.stagingRequest.downloadUrl);
    expect(r.headers.get('content-disposition')).toMatch(/filename="stagecoach_\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.tar"/);
    const tarBytes = Buffer.from(await r.arrayBuffer());
    // ustar: the first header names the first file; its content follows at offset 512.
    expect(tarBytes.subarray(0, 9).toString()).toBe('set/a.bin');
    expect(tarBytes.subarray(512, 512 + 1000).equals(Buffer.alloc(1000, 'a.bin'))).toBe(true);
    expect(tarBytes.length % 512).toBe(0);

    const expired = server.container.links.url({ r: res.data!.stage.id, v: 1, e: Math.floor(Date.now() / 1000) - 5 });
    expect((await fetch(expired)).status).toBe(410);
  });

  it('streams a bundle larger than its read buffers byte-exact to a client that reads slowly', async () => {
    // 3 × 1.5 MiB of random bytes: more than a download's 2 MiB of reused read buffers, and a
    // client that stops reading for a while, so buffers are reused while the socket is full.
    const names = ['r1.bin', 'r2.bin', 'r3.bin'];
    await fs.mkdir(path.join(archive, 'big'), { recursive: true });
    for (const name of names) await fs.writeFile(path.join(archive, 'big', name), randomBytes(1.5 * 1024 * 1024));
    const res = await stage(alice.token, { method: 'DIRECT_DOWNLOAD', items: [{ source: 'big' }] });
    await waitForRequest(server, alice.token, res.data!.stage.id);
    const q = await server.gql<{ stagingRequest: { downloadUrl: string } }>(`query($id: ID!) { stagingRequest(id: $id) { downloadUrl } }`, { id: res.data!.stage.id }, alice.token);
    const body = await new Promise<Buffer>((resolve, reject) => {
      http.get(q.data!.stagingRequest.downloadUrl, (r) => {
        const chunks: Buffer[] = [];
        r.once('data', () => {
          r.pause();
          setTimeout(() => r.resume(), 300);
        });
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => resolve(Buffer.concat(chunks)));
        r.on('error', reject);
      }).on('error', reject);
    });
    const got = new Map<string, Buffer>();
    const extract = tar.extract();
    extract.on('entry', (header, stream, next) => {
      const parts: Buffer[] = [];
      stream.on('data', (c: unknown) => parts.push(c as Buffer));
      stream.on('end', () => {
        got.set(header.name, Buffer.concat(parts));
        next();
      });
    });
    await new Promise<void>((resolve, reject) => {
      extract.on('finish', resolve);
      extract.on('error', reject);
      extract.end(body);
    });
    expect([...got.keys()].sort()).toEqual(names.map((n) => `big/${n}`));
    for (const name of names) expect(got.get(`big/${name}`)!.equals(await fs.readFile(path.join(archive, 'big', name)))).toBe(true);

    // A client that goes away mid-bundle: the server stops and closes the file it was reading.
    await new Promise<void>((resolve, reject) => {
      const req = http.get(q.data!.stagingRequest.downloadUrl, (r) => {
        r.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      setTimeout(() => reject(new Error('no data')), 5000);
    });
    const openBig = async () => {
      const fds = await fs.readdir('/proc/self/fd');
      const targets = await Promise.all(fds.map((fd) => fs.readlink(`/proc/self/fd/${fd}`).catch(() => '')));
      return targets.filter((t) => t.startsWith(path.join(archive, 'big')));
    };
    for (let i = 0; i < 50 && (await openBig()).length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await openBig()).toEqual([]);
  });
});

describe('file-creation tool and browse', () => {
  it('creates a file in the sandbox, shows it in browse, and stages it', async () => {
    const created = await server.gql<{ createFile: { path: string; sizeBytes: number; checksum: string } }>(
      `mutation { createFile(input: { path: "tool/x.bin", sizeBytes: 4096 }) { path sizeBytes checksum } }`,
      undefined,
      alice.token,
    );
    expect(created.data!.createFile).toMatchObject({ path: 'sandbox/tool/x.bin', sizeBytes: 4096 });
    expect(created.data!.createFile.checksum).toBe(await sha256(path.join(archive, 'sandbox', 'tool', 'x.bin')));
    const listing = await server.gql<{ browse: { name: string; path: string; isDirectory: boolean; sizeBytes: number | null }[] }>(
      `{ browse(path: "sandbox/tool") { name path isDirectory sizeBytes } }`,
      undefined,
      alice.token,
    );
    expect(listing.data!.browse).toEqual([{ name: 'x.bin', path: 'sandbox/tool/x.bin', isDirectory: false, sizeBytes: 4096 }]);
    const escape = await server.gql(`mutation { createFile(input: { path: "../../etc/x", content: "no" }) { path } }`, undefined, alice.token);
    expect(escape.errors?.[0]?.extensions?.code).toBe('PATH_OUTSIDE_ROOT');
    expect((await server.gql(`{ browse(path: "../") { name } }`, undefined, alice.token)).errors?.[0]?.extensions?.code).toBe('PATH_OUTSIDE_ROOT');
    const s = await stage(alice.token, { method: 'LOCAL_COPY', items: [{ source: created.data!.createFile.path }] });
    expect((await waitForRequest(server, alice.token, s.data!.stage.id)).status).toBe('SUCCEEDED');
  });
});
