import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { userWithToken } from '../test/app';
import { createTestDatabase, type TestDatabase } from '../test/db';
import { sessionGql, signInWithDevIdp } from '../test/session';
import { SERVER_ROOT } from './lib/paths';

/**
 * Scale-out with real processes: two `api` and two `worker` servers
 * (`node --import tsx src/main.ts`, one process each, so SIGKILL hits the server itself) share one
 * PostgreSQL and one DATA_DIR. Live updates cross processes, work is spread and never repeated,
 * and a worker killed mid-job loses its job to the other one.
 */
interface Proc {
  name: string;
  role: 'api' | 'worker';
  port: number;
  url: string;
  child: ChildProcess;
  stderr: string[];
}

let db: TestDatabase;
let admin: pg.Client;
let dataDir: string;
let token: string;
let hugeSha: string;
const procs: Proc[] = [];
const clients: Client[] = [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

async function start(name: string, role: Proc['role']): Promise<Proc> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_ROOT,
    env: {
      ...process.env,
      ROLE: role,
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
      WORKER_CONCURRENCY: '2',
      // One secret for every replica: sessions and signed links must verify everywhere.
      SESSION_SECRET: 'scale-out-test-secret-scale-out-test-secret',
      REDIS_URL: '',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => {
    stderr.push(d.toString());
    if (stderr.length > 100) stderr.shift();
  });
  const proc = { name, role, port, url: `http://127.0.0.1:${port}`, child, stderr };
  procs.push(proc);
  return proc;
}

async function ready(p: Proc): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (p.child.exitCode !== null) throw new Error(`${p.name} exited with ${p.child.exitCode}:\n${p.stderr.join('')}`);
    if (await fetch(`${p.url}/readyz`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${p.name} did not become ready:\n${p.stderr.join('')}`);
}

async function gql<T>(p: Proc, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${p.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data: T; errors?: unknown };
  if (body.errors) throw new Error(`${JSON.stringify(body.errors)}\n${p.name} stderr:\n${p.stderr.join('').slice(-3000)}`);
  return body.data;
}

function wsClient(p: Proc): Client {
  const client = createClient({ url: `${p.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  clients.push(client);
  return client;
}

interface Snapshot {
  status: string;
  filesTotal: number;
  filesDone: number;
  bytesTotal: number;
  bytesDone: number;
}
const TERMINAL = ['SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'CANCELLED'];

/** Subscribes to a request's updates; `done` resolves with every snapshot once a final one arrives. */
function watch(client: Client, id: string, timeoutMs: number): { seen: Snapshot[]; done: Promise<Snapshot[]> } {
  const seen: Snapshot[] = [];
  const done = new Promise<Snapshot[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no final state within ${timeoutMs} ms; saw ${JSON.stringify(seen.slice(-3))}`)), timeoutMs);
    const dispose = client.subscribe<{ stagingRequestUpdated: Snapshot }>(
      { query: `subscription($id: ID!) { stagingRequestUpdated(id: $id) { status filesTotal filesDone bytesTotal bytesDone } }`, variables: { id } },
      {
        next: (msg) => {
          const s = msg.data?.stagingRequestUpdated;
          if (!s) return reject(new Error(JSON.stringify(msg.errors)));
          seen.push(s);
          if (TERMINAL.includes(s.status)) {
            clearTimeout(timer);
            dispose();
            resolve(seen);
          }
        },
        error: (e) => reject(e instanceof Error ? e : new Error(JSON.stringify(e))),
        complete: () => undefined,
      },
    );
  });
  return { seen, done };
}

/** Sum of a counter over every label set (and over several /metrics pages). */
async function counterSum(ps: Proc[], name: string, labelFilter = ''): Promise<number> {
  let total = 0;
  for (const p of ps) {
    const text = await (await fetch(`${p.url}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (line.startsWith(`${name}{`) && line.includes(labelFilter)) total += Number(line.split(' ').at(-1));
    }
  }
  return total;
}

const pidOf = (processId: string) => Number(processId.split(':').at(-2));
const sha256 = async (p: string) => {
  const h = createHash('sha256');
  for await (const chunk of (await fs.open(p)).createReadStream()) h.update(chunk as Buffer);
  return h.digest('hex');
};

beforeAll(async () => {
  db = await createTestDatabase();
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-scale-'));
  await fs.chmod(dataDir, 0o755);
  token = (await userWithToken(db.orm, { email: 'scale@example.org' })).token;
  const archive = path.join(dataDir, 'sites', 'archive');
  // 1,000 small files: five batch jobs for the two workers to share.
  const many = path.join(archive, 'many');
  await fs.mkdir(many, { recursive: true });
  for (let i = 0; i < 1000; i++) await fs.writeFile(path.join(many, `f${String(i).padStart(4, '0')}.txt`), `file ${i} ${randomBytes(8).toString('hex')}\n`);
  // One job that takes a while: small files, then 1 GiB of incompressible bytes.
  const big = path.join(archive, 'big');
  await fs.mkdir(big, { recursive: true });
  for (const n of ['a.txt', 'b.txt', 'c.txt']) await fs.writeFile(path.join(big, n), `small ${n}\n`);
  const block = randomBytes(64 * 1024 ** 2);
  const fh = await fs.open(path.join(big, 'z-huge.bin'), 'w');
  const h = createHash('sha256');
  for (let i = 0; i < 16; i++) {
    await fh.write(block);
    h.update(block);
  }
  await fh.close();
  hugeSha = h.digest('hex');

  await Promise.all([start('api1', 'api'), start('api2', 'api'), start('worker1', 'worker'), start('worker2', 'worker')]);
  await Promise.all(procs.map(ready));
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  for (const p of procs) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
    const exited = new Promise((r) => p.child.once('exit', r));
    p.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  }
  await admin?.end();
  await fs.rm(dataDir, { recursive: true, force: true });
}, 60_000);

const byName = (n: string) => procs.find((p) => p.name === n)!;

describe('scale-out: 2 api + 2 worker processes on one PostgreSQL', () => {
  it('gives each role its own surface: GraphQL on api, jobs and probes on workers', async () => {
    const [api1, , w1, w2] = ['api1', 'api2', 'worker1', 'worker2'].map(byName);
    expect((await fetch(`${w1!.url}/graphql`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${w1!.url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${w1!.url}/metrics`)).text();
    expect(metrics).toContain('stagecoach_queue_jobs');
    expect(metrics).toContain('process_resident_memory_bytes');
    expect(await gql<{ stagingMethods: unknown[] }>(api1!, '{ stagingMethods { method } }')).toMatchObject({ stagingMethods: expect.any(Array) });
    // Only worker processes run graphile-worker (and so beat).
    const pids = async () => new Set((await admin.query<{ process_id: string }>('select process_id from worker_heartbeats')).rows.map((r) => pidOf(r.process_id)));
    for (let i = 0; i < 100 && (await pids()).size < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect([...(await pids())].sort()).toEqual([w1!.child.pid, w2!.child.pid].sort());
  });

  it('shares browser sessions between api replicas (sessions live in PostgreSQL)', async () => {
    const [api1, api2] = ['api1', 'api2'].map(byName);
    const { jar } = await signInWithDevIdp(api1!.url, 'admin@example.org');
    const me = await sessionGql<{ me: { email: string } | null }>(api2!.url, jar, '{ me { email } }');
    expect(me.data?.me?.email).toBe('admin@example.org');
  });

  it('streams a request submitted on api #2 to a subscriber on api #1; every file is processed exactly once', async () => {
    const [api1, api2, w1, w2] = ['api1', 'api2', 'worker1', 'worker2'].map(byName);
    const client = wsClient(api1!);
    const filesBefore = await counterSum([w1!, w2!], 'stagecoach_files_total');
    const { stage } = await gql<{ stage: { id: string } }>(api2!, `mutation { stage(input: { method: LOCAL_COPY, items: [{ source: "many" }] }) { id } }`);
    const logs: string[] = [];
    const disposeLogs = client.subscribe<{ logAppended: { fileId: string | null } }>(
      { query: `subscription($id: ID!) { logAppended(requestId: $id) { fileId } }`, variables: { id: stage.id } },
      { next: (m) => void (m.data?.logAppended.fileId && logs.push(m.data.logAppended.fileId)), error: () => undefined, complete: () => undefined },
    );
    const snapshots = await watch(client, stage.id, 60_000).done;
    expect(snapshots.at(-1)).toMatchObject({ status: 'SUCCEEDED', filesTotal: 1000, filesDone: 1000 });

    const files = await admin.query<{ status: string; attempts: number; worker_id: string }>('select status, attempts, worker_id from staged_files where request_id = $1', [stage.id]);
    expect(files.rows).toHaveLength(1000);
    expect(files.rows.every((f) => f.status === 'DONE' && f.attempts === 1)).toBe(true);
    const perFileLogs = await admin.query<{ n: string }>(`select count(*) n from log_entries where request_id = $1 and file_id is not null group by file_id`, [stage.id]);
    expect(perFileLogs.rows).toHaveLength(1000);
    expect(perFileLogs.rows.every((r) => r.n === '1')).toBe(true);
    // The workers' own counters agree: 1,000 files between them, none twice.
    await new Promise((r) => setTimeout(r, 300));
    expect((await counterSum([w1!, w2!], 'stagecoach_files_total')) - filesBefore).toBe(1000);
    // Log entries written by the workers reached the subscriber on api #1.
    for (let i = 0; i < 50 && new Set(logs).size < 1000; i++) await new Promise((r) => setTimeout(r, 100));
    disposeLogs();
    expect(new Set(logs).size).toBe(1000);
    const holders = await admin.query<{ process_id: string; n: string }>(
      `select h.process_id, count(*) n from staged_files f join worker_heartbeats h on h.worker_id = f.worker_id where f.request_id = $1 group by h.process_id`,
      [stage.id],
    );
    const share = Object.fromEntries(holders.rows.map((r) => [procs.find((p) => p.child.pid === pidOf(r.process_id))?.name ?? r.process_id, Number(r.n)]));
    console.log(`files per worker: ${JSON.stringify(share)}`);
    expect(Object.keys(share).length).toBeGreaterThan(0);
    expect(Object.keys(share).every((k) => k === 'worker1' || k === 'worker2')).toBe(true);
  }, 90_000);

  it('hands the job of a worker killed with SIGKILL to the other worker, live on api #1', async () => {
    const [api1, api2] = ['api1', 'api2'].map(byName);
    const client = wsClient(api1!);
    const { stage } = await gql<{ stage: { id: string } }>(api2!, `mutation { stage(input: { method: LOCAL_COPY, items: [{ source: "big" }] }) { id } }`);
    const watching = watch(client, stage.id, 120_000);

    // Wait until the huge file is being copied, find the process holding the job, kill it.
    let holder: Proc | undefined;
    for (let i = 0; !holder; i++) {
      const r = await admin.query<{ process_id: string; bytes_done: string; status: string }>(
        `select h.process_id, f.bytes_done, f.status from staged_files f
           join graphile_worker._private_jobs j on j.locked_by is not null and j.payload->>'requestId' = f.request_id::text
           join worker_heartbeats h on h.worker_id = j.locked_by
          where f.request_id = $1 and f.target like '%z-huge.bin'`,
        [stage.id],
      );
      const row = r.rows[0];
      if (row) expect(row.status).not.toBe('DONE'); // the copy must still be in flight when we kill
      if (row?.status === 'RUNNING' && Number(row.bytes_done) > 0) holder = procs.find((p) => p.child.pid === pidOf(row.process_id));
      if (i > 800) throw new Error('the big copy never started');
      if (!holder) await new Promise((r) => setTimeout(r, 25));
    }
    expect(holder.role).toBe('worker');
    const killedAt = Date.now();
    holder.child.kill('SIGKILL');
    await new Promise((r) => holder.child.once('exit', r));
    const survivor = procs.find((p) => p.role === 'worker' && p !== holder)!;

    const snapshots = await watching.done;
    const final = snapshots.at(-1)!;
    expect(final).toMatchObject({ status: 'SUCCEEDED', filesTotal: 4, filesDone: 4 });
    // Progress of the running copy reached api #1, not just the start and the end.
    expect(snapshots.some((s) => s.status === 'RUNNING' && s.bytesDone > 0 && s.bytesDone < s.bytesTotal)).toBe(true);
    console.log(`recovered ${((Date.now() - killedAt) / 1000).toFixed(1)} s after SIGKILL of ${holder.name}; ${snapshots.length} live updates on api1`);

    const files = await admin.query<{ target: string; status: string; attempts: number; worker_id: string }>('select target, status, attempts, worker_id from staged_files where request_id = $1', [stage.id]);
    const huge = files.rows.find((f) => f.target.endsWith('z-huge.bin'))!;
    // Only the interrupted file ran again; the ones finished before the kill were not redone.
    for (const f of files.rows.filter((x) => x !== huge)) expect(f).toMatchObject({ status: 'DONE', attempts: 1 });
    expect(huge.status).toBe('DONE');
    const finisher = await admin.query<{ process_id: string }>('select process_id from worker_heartbeats where worker_id = $1', [huge.worker_id]);
    expect(pidOf(finisher.rows[0]!.process_id)).toBe(survivor.child.pid);

    const area = path.join(dataDir, 'sites', 'users', 'scale', 'big');
    expect((await fs.readdir(area)).sort()).toEqual(['a.txt', 'b.txt', 'c.txt', 'z-huge.bin']);
    expect(await sha256(path.join(area, 'z-huge.bin'))).toBe(hugeSha);
  }, 150_000);
});
