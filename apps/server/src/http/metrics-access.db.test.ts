import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@stagecoach/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../test/app';
import { createTestDatabase, type TestDatabase } from '../../test/db';
import { SERVER_ROOT } from '../lib/paths';

/** Who may read `/metrics`: an ops listener (METRICS_PORT) and/or a bearer token (METRICS_TOKEN). */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});

const PRODUCTION = {
  NODE_ENV: 'production',
  OIDC_ISSUER: 'https://idp.example.org/realms/x',
  OIDC_CLIENT_ID: 'stagecoach',
  SESSION_SECRET: 'metrics-access-test-secret-0123456789abcdef',
};

describe('/metrics on the user port', () => {
  it('is not served in production unless METRICS_TOKEN is set', async () => {
    const server = await startTestServer(db.orm, PRODUCTION);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('process_resident_memory_bytes');
  });

  it('asks for the METRICS_TOKEN bearer when one is set', async () => {
    const server = await startTestServer(db.orm, { ...PRODUCTION, METRICS_TOKEN: 'scrape-me-0123456789' });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
    const ok = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer scrape-me-0123456789' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('process_resident_memory_bytes');
  });
});

describe('METRICS_PORT (real server processes)', () => {
  const children: ChildProcess[] = [];
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-metrics-'));
    await fs.chmod(dataDir, 0o755);
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  /** Starts `src/main.ts` with a role and its own PORT and METRICS_PORT; resolves once both answer. */
  async function serve(role: 'all' | 'worker', env: Record<string, string> = {}) {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const stderr: string[] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: SERVER_ROOT,
      env: {
        ...process.env,
        ROLE: role,
        DATABASE_URL: db.url,
        DATA_DIR: dataDir,
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        NODE_ENV: 'test',
        REDIS_URL: '',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
    const user = `http://127.0.0.1:${port}`;
    const ops = `http://127.0.0.1:${metricsPort}`;
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${stderr.join('')}`);
      const up = await Promise.all(
        [user, ops].map((u) =>
          fetch(`${u}/readyz`).then(
            (r) => r.ok,
            () => false,
          ),
        ),
      );
      if (up.every(Boolean)) break;
      if (i > 400) throw new Error(`not ready:\n${stderr.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { user, ops };
  }

  it('serves /metrics on the ops listener only, never on the user port', async () => {
    const { user, ops } = await serve('all');
    expect((await fetch(`${user}/metrics`)).status).toBe(404);
    const scrape = await fetch(`${ops}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain('stagecoach_http_request_duration_seconds');
    // The ops listener serves nothing of the app.
    expect((await fetch(`${ops}/graphql`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${user}/healthz`)).status).toBe(200);
  }, 60_000);

  it('moves a worker’s /metrics to METRICS_PORT too, and keeps asking for METRICS_TOKEN there', async () => {
    const { user, ops } = await serve('worker', { METRICS_TOKEN: 'worker-scrape-0123456789' });
    expect((await fetch(`${user}/metrics`)).status).toBe(404);
    expect((await fetch(`${user}/readyz`)).status).toBe(200);
    expect((await fetch(`${ops}/metrics`)).status).toBe(401);
    expect((await fetch(`${ops}/metrics`, { headers: { authorization: 'Bearer worker-scrape-0123456789' } })).status).toBe(200);
  }, 60_000);
});
