/**
 * `tsx bench/tools/sql-trace.ts [serverDir] [method]`: starts the server, turns on PostgreSQL
 * statement logging, submits one single-file `stage` request and prints every statement it
 * caused (the API call, then the job), in order — to count round trips and commits per request.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { KiB, makeRandomFile, sleep } from '../lib/files';
import { BenchServer, setServerUnderTest } from '../lib/server';
import type { StagingMethod } from '@stagecoach/client';

const [dir, method = 'LOCAL_COPY'] = process.argv.slice(2);
if (dir) setServerUnderTest(dir);
const server = await BenchServer.start('sql-trace');
try {
  await makeRandomFile(path.join(server.archive, 'one.bin'), 4 * KiB);
  const creds = JSON.parse(await fs.readFile(path.join(server.dataDir, 'db-credentials.json'), 'utf8')) as {
    user: string;
    password: string;
  };
  const port = (await fs.readFile(path.join(server.dataDir, 'db-port'), 'utf8')).trim();
  const admin = new pg.Client({
    connectionString: `postgres://${creds.user}:${encodeURIComponent(creds.password)}@127.0.0.1:${port}/stagecoach`,
  });
  await admin.connect();
  await admin.query(`alter system set log_statement = 'all'`);
  await admin.query(`alter system set log_line_prefix = '%m [%p] '`);
  await admin.query(`select pg_reload_conf()`);
  await sleep(500);
  const logFile = path.join(server.dataDir, 'postgres.log');
  const start = (await fs.stat(logFile)).size;
  const client = await server.ws();
  const id = await server.stage({ method: method as StagingMethod, items: [{ source: 'one.bin', target: 'traced.bin' }] });
  await server.waitFinished(client, id);
  await client.dispose();
  await sleep(1500);
  await admin.query(`alter system reset log_statement`);
  await admin.query(`select pg_reload_conf()`);
  await admin.end();
  const text = (await fs.readFile(logFile, 'utf8')).slice(start);
  const lines = text.split('\n').filter((l) => /LOG: {2}(statement|execute)/.test(l));
  for (const l of lines)
    console.log(l.replace(/^(\S+ \S+) \S+ \[(\d+)\] LOG: {2}(statement|execute [^:]*): /, '$1 [$2] ').slice(0, 220));
  console.log(`\n${lines.length} statements; commits: ${lines.filter((l) => /\b(commit|COMMIT)\b/.test(l)).length}`);
} finally {
  await server.stop();
  await server.cleanup();
}
