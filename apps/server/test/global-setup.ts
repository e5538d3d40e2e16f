import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDb } from '../src/db/embedded-postgres';
import { ormConfig } from '../src/db/mikro-orm.config';
import { createLogger } from '../src/lib/logger';
import { migrateJobQueue } from '../src/modules/jobs/job-runner';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A server URL (any database) on which tests may CREATE DATABASE. */
    dbServerUrl: string;
    /** Name of the migrated template database that each test file clones. */
    templateDb: string;
  }
}

/**
 * Once per run: start embedded PostgreSQL (or use TEST_DATABASE_URL), create one migrated template
 * database; every `*.db.test.ts` file then clones it (CREATE DATABASE … TEMPLATE, ~20 ms).
 */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedDb | undefined;
  let tmp: string | undefined;
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-test-db-'));
    await fs.chmod(tmp, 0o755); // embedded PostgreSQL runs as user postgres and must traverse it
    embedded = await startEmbeddedPostgres({ dataDir: tmp, logger: createLogger('warn', { toStderr: true }) });
    serverUrl = embedded.url;
  }
  const templateDb = `sc_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${templateDb}`);
  await admin.query(`CREATE DATABASE ${templateDb}`);
  const url = new URL(serverUrl);
  url.pathname = `/${templateDb}`;
  const orm = await MikroORM.init(ormConfig(url.toString()));
  await orm.migrator.up();
  await orm.close(true);
  await migrateJobQueue(url.toString());

  project.provide('dbServerUrl', serverUrl);
  project.provide('templateDb', templateDb);

  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${templateDb} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await embedded?.stop();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  };
}
