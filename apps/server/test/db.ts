import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { ormConfig } from '../src/db/mikro-orm.config';

export interface TestDatabase {
  url: string;
  orm: MikroORM;
}

/** Clones the migrated template into a fresh database for this test file; dropped after the file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('dbServerUrl');
  const name = `sc_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDb')}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const orm = await MikroORM.init(ormConfig(url.toString()));
  afterAll(async () => {
    await orm.close(true);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  return { url: url.toString(), orm };
}
