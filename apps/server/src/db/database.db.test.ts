import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@stagecoach/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/db';
import { captureLogs } from '../../test/log-capture';
import { SERVER_ROOT } from '../lib/paths';
import { openDatabase } from './database';

/**
 * A server that starts before its database: DATABASE_URL names a port where PostgreSQL appears
 * only later (a TCP proxy to the test database, started late), or never.
 */
let db: TestDatabase;
const proxies: net.Server[] = [];
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  for (const p of proxies) await new Promise((r) => p.close(r));
});

/** Forwards every connection on `port` to the test database's PostgreSQL. */
function startProxy(port: number): Promise<void> {
  const target = new URL(db.url);
  const proxy = net.createServer((client) => {
    // The embedded test server is reached through its socket folder (URL-encoded in the host).
    const host = decodeURIComponent(target.hostname);
    const pgPort = Number(target.port || 5432);
    const upstream = host.startsWith('/') ? net.connect(path.join(host, `.s.PGSQL.${pgPort}`)) : net.connect(pgPort, host);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  proxies.push(proxy);
  return new Promise((resolve) => proxy.listen(port, '127.0.0.1', () => resolve()));
}

/** A password that must never reach a log line or an error (the real one where the server needs it). */
let secret = 'not-to-be-logged';
const throughPort = (port: number) => {
  const url = new URL(db.url);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  if (url.password) secret = decodeURIComponent(url.password);
  else url.password = secret;
  return url.href;
};

describe('connecting to DATABASE_URL at start', () => {
  it('retries with backoff until PostgreSQL appears, logging each try', async () => {
    const port = await freePort();
    const logs = captureLogs('info');
    const opening = openDatabase(
      { databaseUrl: throughPort(port), dataDir: '/nonexistent', databaseConnect: { attempts: 30, waitMs: 100 } },
      logs.logger,
    );
    // The database "starts" a little later.
    await new Promise((r) => setTimeout(r, 700));
    await startProxy(port);
    const opened = await opening;
    try {
      const [row] = await opened.orm.em.getConnection().execute<{ one: number }[]>('select 1 as one');
      expect(row!.one).toBe(1);
    } finally {
      await opened.close();
    }
    const tries = logs.lines.filter((l) => l.msg?.startsWith('the database is not reachable yet'));
    expect(tries.length).toBeGreaterThanOrEqual(2);
    expect(tries[0]).toMatchObject({ attempt: 1, attempts: 30, retryInMs: 100 });
    // Back-off: each wait is longer than the one before.
    expect((tries[1] as { retryInMs: number }).retryInMs).toBeGreaterThan(100);
    expect(JSON.stringify(logs.lines)).not.toContain(secret);
    expect(logs.lines.some((l) => l.msg === 'connected to the database')).toBe(true);
  });

  it('gives up after DATABASE_CONNECT_ATTEMPTS with a clear message', async () => {
    const port = await freePort();
    const logs = captureLogs('info');
    const err = (await openDatabase(
      { databaseUrl: throughPort(port), dataDir: '/nonexistent', databaseConnect: { attempts: 3, waitMs: 50 } },
      logs.logger,
    ).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(new RegExp(`cannot reach the database at 127\\.0\\.0\\.1:${port}/\\S+ after 3 attempts`));
    expect(err.message).toContain('DATABASE_CONNECT_ATTEMPTS');
    expect(err.message).not.toContain(secret);
    expect(logs.lines.filter((l) => l.msg?.startsWith('the database is not reachable yet'))).toHaveLength(2);
  });
});

describe('the server process (src/main.ts) starting before its database', () => {
  it('waits for PostgreSQL, then serves; without it, exits with the reason', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-db-wait-'));
    const run = async (dbPort: number, attempts: string) => {
      const port = await freePort();
      const stderr: string[] = [];
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: SERVER_ROOT,
        env: {
          ...process.env,
          ROLE: 'api',
          DATABASE_URL: throughPort(dbPort),
          DATABASE_CONNECT_ATTEMPTS: attempts,
          DATABASE_CONNECT_WAIT: '200ms',
          DATA_DIR: dataDir,
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'info',
          NODE_ENV: 'test',
          REDIS_URL: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: string[] = [];
      child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
      child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      return { url: `http://127.0.0.1:${port}`, child, exited, log: () => out.join('') + stderr.join('') };
    };
    try {
      const late = await freePort();
      const waiting = await run(late, '50');
      // The database "starts" only once the server has failed to reach it at least once.
      for (let i = 0; i < 300 && !waiting.log().includes('the database is not reachable yet'); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(waiting.log()).toContain('the database is not reachable yet');
      expect(waiting.child.exitCode).toBeNull();
      await startProxy(late);
      let ready = false;
      for (let i = 0; i < 300 && !ready && waiting.child.exitCode === null; i++) {
        ready = await fetch(`${waiting.url}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (!ready) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready, waiting.log()).toBe(true);
      waiting.child.kill('SIGTERM');
      await waiting.exited;

      const never = await run(await freePort(), '2');
      expect(await never.exited).toBe(1);
      expect(never.log()).toMatch(
        /Stagecoach failed to start: cannot reach the database at 127\.0\.0\.1:\d+\/\S+ after 2 attempts/,
      );
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
