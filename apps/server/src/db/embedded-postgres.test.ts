import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger';
import { startEmbeddedPostgres } from './embedded-postgres';

const logger = createLogger('silent');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

async function query(url: string, sql: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

describe('embedded PostgreSQL', () => {
  it('keeps data across restarts and reuses an instance that is already running', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-embedded-'));
    dirs.push(dataDir);
    await fs.chmod(dataDir, 0o755);

    const first = await startEmbeddedPostgres({ dataDir, logger });
    expect(first.owned).toBe(true);
    await query(first.url, 'CREATE TABLE kept (v text)');
    await query(first.url, 'INSERT INTO kept VALUES ($1)', ['hello']);

    // A second process on the same DATA_DIR (e.g. the CLI beside the server) joins the running one.
    const second = await startEmbeddedPostgres({ dataDir, logger });
    expect(second.owned).toBe(false);
    expect(second.port).toBe(first.port);
    await first.stop();

    const third = await startEmbeddedPostgres({ dataDir, logger });
    expect(third.owned).toBe(true);
    expect(await query(third.url, 'SELECT v FROM kept')).toEqual([{ v: 'hello' }]);
    await third.stop();

    // Credentials are generated per data dir and kept private.
    const stat = await fs.stat(path.join(dataDir, 'db-credentials.json'));
    expect(stat.mode & 0o077).toBe(0);
  });
});
