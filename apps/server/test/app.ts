import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@stagecoach/storage/testing';
import { createApp } from '../src/app';
import { loadConfig, type Config } from '../src/config/env';
import { createContainer, jobTasks, type Container } from '../src/container';
import { systemClock, type Clock } from '../src/lib/clock';
import { createLogger, type Logger } from '../src/lib/logger';
import { startJobRunner } from '../src/modules/jobs/job-runner';
import { TokensService } from '../src/modules/tokens/tokens.service';
import type { Role, UserStatus } from '../src/modules/users/user.entity';
import { UsersService } from '../src/modules/users/users.service';

export interface TestServer {
  url: string;
  config: Config;
  container: Container;
  /** DATA_DIR of this server (default sites live under it). */
  dataDir: string;
  /** POST /graphql; returns the parsed JSON body. */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>>;
}

export interface GqlResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

/** Starts the real app (Express + Apollo + graphql-ws) on a free loopback port for this test file. */
export interface TestServerOptions {
  /** Connection string of the test database; required for the job runner. */
  dbUrl?: string;
  /** Run the staging worker in-process (default true when dbUrl is given). */
  worker?: boolean;
  clock?: Clock;
  /** The server's (and job runner's) logger; silent by default (TEST_LOG_LEVEL to see it). */
  logger?: Logger;
  /** The built web app's folder; default the real apps/web/dist. */
  webDist?: string;
}

export async function startTestServer(orm: MikroORM, env: Record<string, string> = {}, opts: TestServerOptions = {}): Promise<TestServer> {
  const clock = opts.clock ?? systemClock;
  if (!opts.dbUrl) opts = { ...opts, worker: false };
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-test-data-'));
  // A concrete port up front: PUBLIC_URL (download links, emails) must name the real one. Test
  // files run in parallel, so another one may take the port between probe and listen: retry.
  let port!: number;
  let config!: Config;
  let container!: Container;
  let app!: Awaited<ReturnType<typeof createApp>>;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: String(port), DATA_DIR: dataDir, ...env });
    container = await createContainer({ config, logger: opts.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', { toStderr: true }), clock, orm });
    app = await createApp({ container, webDist: opts.webDist });
    try {
      await app.listen(port, '127.0.0.1');
      break;
    } catch (e) {
      await app.close().catch(() => undefined);
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw e;
    }
  }
  // The same tasks as main.ts, without the sweep's cron: tests run sweeps with their own clock.
  const jobs = opts.worker === false ? undefined : await startJobRunner({ connectionString: opts.dbUrl ?? '', orm, logger: container.logger, concurrency: config.workerJobs, taskList: jobTasks(container, { cron: false }).taskList });
  afterAll(async () => {
    await jobs?.stop();
    await app.close();
    await fs.rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    config,
    container,
    dataDir,
    async gql(query, variables, token) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GqlResult<never>;
    },
  };
}

/** Polls a request until it reaches a terminal status (or times out with its last state). */
export async function waitForRequest<T extends { status: string }>(server: TestServer, token: string, id: string, fields = 'status filesDone filesSkipped filesFailed filesCancelled', timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await server.gql<{ stagingRequest: T }>(`query($id: ID!) { stagingRequest(id: $id) { ${fields} } }`, { id }, token);
    const r = res.data?.stagingRequest;
    if (!r) throw new Error(JSON.stringify(res.errors));
    if (['SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.status)) return r;
    if (Date.now() > deadline) throw new Error(`request ${id} still ${r.status} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Creates a user directly in the database and returns it with a fresh API token secret. */
export async function userWithToken(
  orm: MikroORM,
  opts: { email: string; role?: Role; status?: UserStatus; emailVerified?: boolean; preferredUsername?: string },
): Promise<{ id: string; email: string; token: string; username: string }> {
  const em = orm.em.fork();
  const { email, role = 'USER', status = 'ACTIVE', emailVerified, preferredUsername } = opts;
  const user = await new UsersService(em).create({ email, role, status, emailVerified, preferredUsername });
  const { secret } = await new TokensService(em, systemClock).create(user, 'test', 30);
  return { id: user.id, email: user.email, token: secret, username: user.username };
}
