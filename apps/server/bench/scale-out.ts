/**
 * scale-out: the files-10k request (10,000 × 4 KiB, LOCAL_COPY, one request) run against one
 * `api` process and 1 vs 2 `worker` processes (`ROLE=worker`, `node dist/main.js`) sharing one
 * PostgreSQL (an embedded cluster started here, as an external database would be) and one
 * DATA_DIR. The reference is the same deployment with one worker, run right beside it: the ratio
 * is the scaling factor of adding a worker process.
 *
 * Registered in bench/run.ts (`pnpm bench -- scale-out`); also runnable on its own after a build:
 * `pnpm --filter @stagecoach/server build && tsx bench/scale-out.ts [--quick] [--runs N]`.
 *
 * On a 2-core machine the api process, PostgreSQL and the workers share the same two cores, so
 * the ratio there shows contention more than scaling; on separate nodes each worker brings its
 * own CPU and I/O.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { createLogger } from '../src/lib/logger';
import { KiB, makeSmallFiles, settle } from './lib/files';
import type { Scenario, ScenarioContext } from './lib/scenario';
import { freePort, serverUnderTestDir } from './lib/server';
import { ratioOf, renderTable, summarize } from './lib/stats';

const execFileAsync = promisify(execFile);

interface RoleProcess {
  role: 'api' | 'worker';
  url: string;
  child: ChildProcess;
  stderr: string[];
}

async function startRole(role: RoleProcess['role'], env: NodeJS.ProcessEnv): Promise<RoleProcess> {
  const port = await freePort();
  const stderr: string[] = [];
  const child = spawn(process.execPath, [path.join(serverUnderTestDir(), 'dist', 'main.js')], {
    cwd: serverUnderTestDir(),
    env: { ...env, ROLE: role, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr.push(d.toString());
    if (stderr.length > 100) stderr.shift();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${role} exited (${child.exitCode}):\n${stderr.join('')}`);
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) throw new Error(`${role} not ready within 60 s:\n${stderr.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { role, url, child, stderr };
}

async function stopRole(p: RoleProcess): Promise<void> {
  if (p.child.exitCode !== null) return;
  const exited = once(p.child, 'exit');
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

async function gql<T>(api: RoleProcess, token: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (body.errors || !body.data) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}

interface Final {
  status: string;
  filesDone: number;
  filesTotal: number;
  at: number;
}

/** Resolves with the final state pushed by stagingRequestUpdated (no poll-interval rounding). */
function finished(client: Client, id: string, timeoutMs = 600_000): Promise<Final> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`request ${id} did not finish in time`)), timeoutMs);
    const dispose = client.subscribe<{ stagingRequestUpdated: Omit<Final, 'at'> }>(
      { query: `subscription($id: ID!) { stagingRequestUpdated(id: $id) { status filesDone filesTotal } }`, variables: { id } },
      {
        next: (m) => {
          const r = m.data?.stagingRequestUpdated;
          if (!r) return reject(new Error(JSON.stringify(m.errors)));
          if (['SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.status)) {
            clearTimeout(timer);
            dispose();
            resolve({ ...r, at: performance.now() });
          }
        },
        error: (e) => reject(e instanceof Error ? e : new Error(JSON.stringify(e))),
        complete: () => undefined,
      },
    );
  });
}

export const scaleOut: Scenario = {
  name: 'scale-out',
  description: 'files-10k with 1 vs 2 worker processes (ROLE=worker) behind one api process on one PostgreSQL',
  async run(ctx: ScenarioContext) {
    const count = ctx.quick ? 1000 : 10_000;
    const root = await fs.mkdtemp(path.join('/var/tmp', 'stagecoach-bench-scale-out-'));
    // Embedded PostgreSQL runs as user `postgres` and must traverse the directory.
    await fs.chmod(root, 0o755);
    const dataDir = path.join(root, 'data');
    const db = await startEmbeddedPostgres({ dataDir: path.join(root, 'pg'), logger: createLogger('warn', { toStderr: true }) });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      OIDC_ISSUER: 'https://127.0.0.1:9/unused',
      OIDC_CLIENT_ID: 'bench',
      SESSION_SECRET: 'bench-session-secret-bench-session-secret',
      RATE_LIMIT_MUTATIONS: '10000000',
      RATE_LIMIT_MUTATION_BURST: '10000000',
      ...ctx.serverEnv,
    };
    const procs: RoleProcess[] = [];
    let client: Client | undefined;
    try {
      const api = await startRole('api', env);
      procs.push(api);
      const cli = async (...args: string[]) =>
        (
          await execFileAsync(process.execPath, [path.join(serverUnderTestDir(), 'dist', 'cli.js'), ...args], {
            cwd: serverUnderTestDir(),
            env: { ...env, LOG_LEVEL: 'error' },
          })
        ).stdout.trim();
      await cli('user', 'add', '--email', 'bench@example.org', '--admin');
      const token = (await cli('token', 'create', '--email', 'bench@example.org', '--name', 'bench')).split('\n').at(-1)!;
      ctx.log(`creating ${count} files of 4 KiB`);
      await makeSmallFiles(path.join(dataDir, 'sites', 'archive', 'small'), count, 4 * KiB);

      let acked!: () => void;
      const ready = new Promise<void>((r) => (acked = r));
      client = createClient({
        url: `${api.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        lazy: false,
        retryAttempts: 0,
        on: { connected: () => acked() },
      });
      await ready;

      // Worker #1 runs throughout; worker #2 is started and stopped to switch between 1 and 2.
      const first = await startRole('worker', env);
      procs.push(first);
      let second: RoleProcess | undefined;
      const setWorkers = async (n: 1 | 2) => {
        if (n === 2 && !second) procs.push((second = await startRole('worker', env)));
        if (n === 1 && second) {
          await stopRole(second);
          second = undefined;
        }
      };
      const rates: Record<1 | 2, number[]> = { 1: [], 2: [] };
      let run = 0;
      const once = async (n: 1 | 2) => {
        await setWorkers(n);
        await settle();
        const t0 = performance.now();
        const { stage } = await gql<{ stage: { id: string } }>(
          api,
          token,
          `mutation($input: StageInput!) { stage(input: $input) { id } }`,
          { input: { method: 'LOCAL_COPY', items: [{ source: 'small', target: `runs/${run++}` }] } },
        );
        const done = await finished(client!, stage.id);
        if (done.status !== 'SUCCEEDED' || done.filesDone !== count)
          throw new Error(`run ended ${done.status} with ${done.filesDone}/${count} files`);
        const s = (done.at - t0) / 1000;
        rates[n].push(count / s);
        ctx.log(
          `  ${n} worker${n === 2 ? 's' : ' '}  run ${rates[n].length - 1}: ${s.toFixed(3)} s  ${(count / s).toFixed(0)} files/s`,
        );
      };
      // Alternate the order run by run, so drift on the machine hits both sides alike.
      for (let i = 0; i < ctx.runs; i++) for (const n of i % 2 === 0 ? ([1, 2] as const) : ([2, 1] as const)) await once(n);

      const one = summarize(rates[1]);
      const two = summarize(rates[2]);
      return {
        rows: [
          {
            scenario: 'scale-out',
            metric: `${count} × 4 KiB, 2 workers vs 1`,
            unit: 'files/s',
            ours: two,
            ref: { name: '1 worker', summary: one },
            ratio: ratioOf(two, one, true),
            note: 'api + N ROLE=worker processes on one PostgreSQL; ratio = scaling factor of the second worker (2 cores shared by api, PostgreSQL and workers here)',
          },
        ],
        raw: { count, filesPerSecond: { oneWorker: rates[1], twoWorkers: rates[2] } },
      };
    } finally {
      await client?.dispose();
      for (const p of procs.reverse()) await stopRole(p);
      await db.stop();
      await fs.rm(root, { recursive: true, force: true });
    }
  },
};

// Standalone: `tsx bench/scale-out.ts [--quick] [--runs N]` (after building dist/).
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const quick = process.argv.includes('--quick');
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : quick ? 2 : 5;
  const log = (m: string) => process.stderr.write(`${m}\n`);
  scaleOut
    .run({ quick, runs, serverEnv: {}, serverNodeArgs: [], log })
    .then((r) => process.stdout.write(`\n${renderTable(r.rows)}\n${JSON.stringify(r.raw)}\n`))
    .catch((e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    });
}
