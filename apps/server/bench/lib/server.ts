/**
 * The real server as a child process (`node dist/main.js`) on a fresh DATA_DIR under /var/tmp,
 * an admin user and API token minted with the real CLI, and small GraphQL clients (HTTP and
 * graphql-ws) that use that token exactly as an integrator would.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { StagecoachClient, type StageInput } from '@stagecoach/client';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

const execFileAsync = promisify(execFile);

export const SERVER_DIR = path.resolve(import.meta.dirname, '..', '..');
export const REPO_DIR = path.resolve(SERVER_DIR, '..', '..');

/** The server package whose dist/ is run: this checkout by default, another one with `--server-dir`. */
let serverUnderTest = SERVER_DIR;
export function setServerUnderTest(dir: string): void {
  serverUnderTest = path.resolve(dir);
}
export function serverUnderTestDir(): string {
  return serverUnderTest;
}

export interface GqlResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** VmRSS of a process in bytes, from /proc/<pid>/status. */
export async function rssOf(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

export interface StartOptions {
  /** Extra environment for the server (e.g. WORKER_CONCURRENCY). */
  env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Server package to run (default: the one chosen with setServerUnderTest). */
  serverDir?: string;
}

export class BenchServer {
  /** Bytes the server wrote to stdout, by pid: with LOG_LEVEL=warn this should stay near zero. */
  static readonly stdoutBytes = new Map<number, number>();

  private constructor(
    readonly dataDir: string,
    readonly url: string,
    readonly child: ChildProcess,
    readonly token: string,
    readonly agent: http.Agent,
    private readonly stderr: string[],
  ) {}

  /** `<DATA_DIR>/sites/archive`: the default source site; bench inputs go here. */
  get archive(): string {
    return path.join(this.dataDir, 'sites', 'archive');
  }

  /** The bench user's area (`bench@example.org` → username `bench`). */
  get userArea(): string {
    return path.join(this.dataDir, 'sites', 'users', 'bench');
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(name: string, opts: StartOptions = {}): Promise<BenchServer> {
    const dataDir = await fs.mkdtemp(path.join('/var/tmp', `stagecoach-bench-${name}-`));
    // Embedded PostgreSQL runs as user `postgres` and must traverse DATA_DIR.
    await fs.chmod(dataDir, 0o755);
    const port = await freePort();
    const serverDir = opts.serverDir ?? serverUnderTest;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      // Production refuses the development IdP; a bench does not sign in through OIDC.
      OIDC_ISSUER: 'http://127.0.0.1:9/unused',
      OIDC_CLIENT_ID: 'bench',
      SESSION_SECRET: 'bench-session-secret-bench-session-secret',
      // The per-user mutation limiter protects production; the bench measures the engine behind it.
      RATE_LIMIT_MUTATIONS: '10000000',
      RATE_LIMIT_MUTATION_BURST: '10000000',
      ...opts.env,
    };
    delete env.DATABASE_URL;
    const stderr: string[] = [];
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), path.join(serverDir, 'dist', 'main.js')], {
      cwd: serverDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => {
      BenchServer.stdoutBytes.set(child.pid!, (BenchServer.stdoutBytes.get(child.pid!) ?? 0) + d.length);
      if (process.env.BENCH_SERVER_STDOUT) process.stderr.write(d);
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr.push(d.toString());
      if (stderr.length > 200) stderr.shift();
    });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${stderr.join('')}`);
      const ok = await fetch(`${url}/healthz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`server did not answer /healthz within 60 s:\n${stderr.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const cli = async (...args: string[]) =>
      (
        await execFileAsync(process.execPath, [path.join(serverDir, 'dist', 'cli.js'), ...args], {
          cwd: serverDir,
          env: { ...env, LOG_LEVEL: 'error' },
        })
      ).stdout.trim();
    await cli('user', 'add', '--email', 'bench@example.org', '--admin');
    const token = (await cli('token', 'create', '--email', 'bench@example.org', '--name', 'bench')).split('\n').at(-1)!;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    return new BenchServer(dataDir, url, child, token, agent, stderr);
  }

  /** POST /graphql with the bench token over a keep-alive agent (cheap enough for load). */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>> {
    const body = JSON.stringify({ query, variables });
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${this.url}/graphql`,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${this.token}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString()) as GqlResult<T>);
            } catch (e) {
              reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 500)} (${String(e)})`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Like gql, but throws on GraphQL errors. */
  async must<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await this.gql<T>(query, variables);
    if (res.errors?.length || !res.data) throw new Error(`GraphQL error: ${JSON.stringify(res.errors)}`);
    return res.data;
  }

  /** A graphql-ws client authenticated with the bench token; resolves once the connection is acknowledged. */
  async ws(): Promise<Client> {
    let acked!: () => void;
    let failed!: (e: unknown) => void;
    const ready = new Promise<void>((res, rej) => ((acked = res), (failed = rej)));
    const client = createClient({
      url: `${this.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${this.token}` },
      lazy: false,
      retryAttempts: 0,
      on: { connected: () => acked(), error: (e) => failed(e) },
      // Closed sockets surface through the subscriptions that use them; no console noise at shutdown.
      onNonLazyError: () => undefined,
    });
    await ready;
    return client;
  }

  /**
   * Submits `stage` through the typed client, as an integrator's script would, and resolves with
   * the request id. (Load scenarios keep the keep-alive `gql` above, and waiting keeps
   * `waitFinished`, which takes the finish time from the pushed event itself.)
   */
  async stage(input: StageInput): Promise<string> {
    this.client ??= new StagecoachClient({ url: this.url, token: this.token });
    return (await this.client.stage(input)).id;
  }

  private client: StagecoachClient | undefined;

  /**
   * Resolves with the final snapshot of a request, pushed by `stagingRequestUpdated` (the server
   * always delivers the final state), so the end time is not rounded up to a poll interval.
   */
  async waitFinished(client: Client, id: string, timeoutMs = 600_000): Promise<FinishedRequest> {
    const fields = 'id status filesTotal filesDone filesSkipped filesFailed bytesDone downloadUrl';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        dispose();
        reject(new Error(`request ${id} did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      const dispose = client.subscribe<{ stagingRequestUpdated: FinishedRequest }>(
        { query: `subscription($id: ID!) { stagingRequestUpdated(id: $id) { ${fields} } }`, variables: { id } },
        {
          next: (msg) => {
            const r = msg.data?.stagingRequestUpdated;
            if (msg.errors) {
              clearTimeout(timer);
              dispose();
              reject(new Error(JSON.stringify(msg.errors)));
            } else if (r && ['SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.status)) {
              clearTimeout(timer);
              dispose();
              resolve({ ...r, finishedAtMs: performance.now() });
            }
          },
          error: (e) => {
            clearTimeout(timer);
            reject(e instanceof Error ? e : new Error(JSON.stringify(e)));
          },
          complete: () => undefined,
        },
      );
    });
  }

  /** Stops the server (SIGTERM: graceful, stops the embedded database too). */
  async stop(): Promise<void> {
    this.client?.close();
    this.agent.destroy();
    if (this.child.exitCode === null) {
      const exited = once(this.child, 'exit');
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
  }

  /** Removes DATA_DIR (outside every timing: deleting is slow on this disk). */
  async cleanup(): Promise<void> {
    await fs.rm(this.dataDir, { recursive: true, force: true });
  }

  lastStderr(): string {
    return this.stderr.join('').slice(-4000);
  }
}

export interface FinishedRequest {
  id: string;
  status: string;
  filesTotal: number;
  filesDone: number;
  filesSkipped: number;
  filesFailed: number;
  bytesDone: number;
  downloadUrl: string | null;
  /** performance.now() when the final state arrived. */
  finishedAtMs: number;
}

/** Throws unless every file of the request was staged. */
export function assertSucceeded(r: FinishedRequest): void {
  if (r.status !== 'SUCCEEDED' || r.filesDone !== r.filesTotal) {
    throw new Error(
      `request ${r.id} ended ${r.status}: ${r.filesDone}/${r.filesTotal} done, ${r.filesFailed} failed, ${r.filesSkipped} skipped`,
    );
  }
}

/** Starts bench/lib/floor-server.mjs (HTTP floor + static file streamer) and resolves with its URL. */
export async function startFloorServer(
  files: string[] = [],
): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'floor-server.mjs'), ...files], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const url = `http://127.0.0.1:${chunk.toString().trim()}`;
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const CLK_TCK = 100;

/** utime, stime, cutime, cstime of a process in seconds, from /proc/<pid>/stat. */
async function procTimes(pid: number): Promise<{ self: number; children: number; ppid: number } | null> {
  const text = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!text) return null;
  // Fields after the command name (which may contain spaces) start at ") ".
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    ppid: Number(f[1]),
    self: (Number(f[11]) + Number(f[12])) / CLK_TCK,
    children: (Number(f[13]) + Number(f[14])) / CLK_TCK,
  };
}

/**
 * CPU seconds used so far by the server process and by its embedded PostgreSQL (postmaster,
 * live backends, and reaped ones through the postmaster's children times). CPU per unit of work
 * is far steadier than wall time on a machine shared with other work.
 */
export async function cpuSeconds(server: BenchServer): Promise<{ server: number; postgres: number }> {
  const own = await procTimes(server.pid);
  const pidFile = await fs.readFile(path.join(server.dataDir, 'pg', 'postmaster.pid'), 'utf8').catch(() => '');
  const postmaster = Number(pidFile.split('\n')[0]);
  let postgres = 0;
  if (postmaster) {
    const pm = await procTimes(postmaster);
    postgres += pm ? pm.self + pm.children : 0;
    for (const entry of await fs.readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const t = await procTimes(Number(entry));
      if (t && t.ppid === postmaster) postgres += t.self;
    }
  }
  return { server: own ? own.self : 0, postgres };
}
