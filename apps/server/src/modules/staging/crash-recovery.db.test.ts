import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { userWithToken } from '../../../test/app';
import { SERVER_ROOT } from '../../lib/paths';

/**
 * Proves the durability rule with a real process: the server is killed with SIGKILL in the middle
 * of a copy, started again on the same database and DATA_DIR, and must finish the request with
 * every target complete, identical, and no partial or temporary file left behind.
 */
let db: TestDatabase;
let dataDir: string;
let port: number;
let token: string;
const children: ChildProcess[] = [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

/** Starts the server; parallel test files may grab its port first, so retry on a fresh one. */
async function startServer(): Promise<ChildProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce();
    } catch (e) {
      if (attempt >= 3) throw e;
      port = await freePort();
    }
  }
}

async function startServerOnce(): Promise<ChildProcess> {
  // One process (node + the tsx loader), not the tsx CLI: that wraps the server in a second
  // process, and SIGKILL would then hit only the wrapper while the server itself lived on.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_ROOT,
    env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', WORKER_CONCURRENCY: '1', NODE_ENV: 'test' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become ready');
}

async function gql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const sha256 = async (p: string) => {
  const h = createHash('sha256');
  for await (const chunk of (await fs.open(p)).createReadStream()) h.update(chunk as Buffer);
  return h.digest('hex');
};

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-crash-'));
  await fs.chmod(dataDir, 0o755);
  port = await freePort();
  token = (await userWithToken(db.orm, { email: 'crash@example.org' })).token;
  const src = path.join(dataDir, 'sites', 'archive', 'big');
  await fs.mkdir(src, { recursive: true });
  // 1 GiB of incompressible bytes (a 64 MiB random block repeated) so the copy takes a while.
  const block = randomBytes(64 * 1024 ** 2);
  const fh = await fs.open(path.join(src, '0-huge.bin'), 'w');
  for (let i = 0; i < 16; i++) await fh.write(block);
  await fh.close();
  for (const n of ['1.txt', '2.txt', '3.txt']) await fs.writeFile(path.join(src, n), `small file ${n}\n`);
}, 120_000);

async function stopAll() {
  for (const c of children) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}

afterAll(async () => {
  await stopAll();
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('crash recovery', () => {
  it('finishes a request after kill -9 mid-copy, with no partial or duplicated file', async () => {
    const first = await startServer();
    const { stage } = await gql<{ stage: { id: string } }>(`mutation { stage(input: { method: LOCAL_COPY, items: [{ source: "big" }] }) { id } }`);
    const filesQuery = `query($id: ID!) { stagingRequest(id: $id) { status files { nodes { source status bytesDone } } } }`;

    // Kill the whole server without warning as soon as the big file's temporary copy appears:
    // the worker records a file as RUNNING only with its next progress flush (every 250 ms), so
    // the database usually still says PENDING and the restarted job cannot know a copy was begun.
    const areaDir = path.join(dataDir, 'sites', 'users', 'crash', 'big');
    for (let i = 0; ; i++) {
      const names = await fs.readdir(areaDir).catch(() => [] as string[]);
      if (names.some((n) => n.startsWith('.0-huge.bin.stagecoach-'))) break;
      expect(names).not.toContain('0-huge.bin'); // the copy must still be in flight when we kill
      if (i > 20_000) throw new Error('the copy never started');
      await new Promise((r) => setTimeout(r, 1));
    }
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect((await fs.readdir(areaDir)).filter((n) => n.startsWith('.0-huge.bin.stagecoach-'))).toHaveLength(1);
    // Never a partial file under the final name.
    const huge = await fs.stat(path.join(areaDir, '0-huge.bin')).catch(() => null);
    if (huge) expect(huge.size).toBe(1024 ** 3);

    await startServer();
    let final: { status: string; files: { nodes: { source: string; status: string }[] } } | undefined;
    for (let i = 0; i < 400; i++) {
      final = (await gql<{ stagingRequest: typeof final }>(filesQuery, { id: stage.id })).stagingRequest;
      if (final!.status !== 'RUNNING' && final!.status !== 'QUEUED') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(final!.status).toBe('SUCCEEDED');
    expect(final!.files.nodes.every((f) => f.status === 'DONE' || f.status === 'SKIPPED')).toBe(true);
    // Exactly the staged files: the interrupted copy's temporary file was swept.
    expect((await fs.readdir(areaDir)).sort()).toEqual(['0-huge.bin', '1.txt', '2.txt', '3.txt']);
    const srcDir = path.join(dataDir, 'sites', 'archive', 'big');
    for (const n of ['0-huge.bin', '1.txt', '2.txt', '3.txt']) expect(await sha256(path.join(areaDir, n))).toBe(await sha256(path.join(srcDir, n)));
    // Graceful shutdown: SIGTERM drains HTTP, stops the job runner and exits 0.
    const second = children.at(-1)!;
    const exited = new Promise<number | null>((r) => second.once('exit', (code) => r(code)));
    second.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 300_000);
});
