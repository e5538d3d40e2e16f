/**
 * `tsx bench/tools/sql-slow.ts [serverDir] [seconds] [ms]`: 50 clients submit single-file
 * requests for a few seconds while PostgreSQL logs every statement slower than `ms`; prints
 * the statements grouped by their first 90 characters (count, total ms) — where the database
 * time of the stage-50c scenario goes.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { KiB, makeRandomFile, sleep } from '../lib/files';
import { closedLoop } from '../lib/load';
import { BenchServer, setServerUnderTest } from '../lib/server';

const [dir, seconds = '8', ms = '5'] = process.argv.slice(2);
if (dir) setServerUnderTest(dir);
const server = await BenchServer.start('sql-slow');
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
  await admin.query(`alter system set log_min_duration_statement = ${Number(ms)}`);
  await admin.query(`select pg_reload_conf()`);
  await sleep(500);
  const logFile = path.join(server.dataDir, 'postgres.log');
  const start = (await fs.stat(logFile)).size;
  const STAGE = `mutation($input: StageInput!) { stage(input: $input) { id } }`;
  const res = await closedLoop({
    url: `${server.url}/graphql`,
    agent: server.agent,
    clients: 50,
    durationMs: Number(seconds) * 1000,
    headers: { authorization: `Bearer ${server.token}` },
    body: (c, n) =>
      JSON.stringify({
        query: STAGE,
        variables: { input: { method: 'LOCAL_COPY', items: [{ source: 'one.bin', target: `c${c}/${n}.bin` }] } },
      }),
  });
  console.log(`${res.latencies.length} requests, ${res.errors} errors`);
  await admin.query(`alter system reset log_min_duration_statement`);
  await admin.query(`select pg_reload_conf()`);
  await admin.end();
  const text = (await fs.readFile(logFile, 'utf8')).slice(start);
  const groups = new Map<string, { n: number; ms: number }>();
  for (const m of text.matchAll(/duration: ([\d.]+) ms {2}(?:statement|execute [^:]*): ([^\n]*)/g)) {
    const key = m[2]!.replace(/'[^']*'/g, "'…'").slice(0, 90);
    const g = groups.get(key) ?? { n: 0, ms: 0 };
    g.n++;
    g.ms += Number(m[1]);
    groups.set(key, g);
  }
  for (const [k, g] of [...groups.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25))
    console.log(`${String(g.n).padStart(6)} ${g.ms.toFixed(0).padStart(8)} ms  ${k}`);
} finally {
  await server.stop();
  await server.cleanup();
}
