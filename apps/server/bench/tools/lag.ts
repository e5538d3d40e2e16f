/**
 * `tsx bench/tools/lag.ts [seconds]`: the stage-50c load against one server while sampling its
 * event-loop delay (prom-client's nodejs_eventloop_lag_* from /metrics) and the mutation latency
 * per second of the window — where the tail of `stage` latency comes from.
 */
import path from 'node:path';
import { KiB, makeRandomFile } from '../lib/files';
import { closedLoop } from '../lib/load';
import { BenchServer } from '../lib/server';
import { percentile } from '../lib/stats';

const seconds = Number(process.argv[2] ?? '8');
const server = await BenchServer.start('lag');
try {
  await makeRandomFile(path.join(server.archive, 'one.bin'), 4 * KiB);
  const STAGE = `mutation($input: StageInput!) { stage(input: $input) { id } }`;
  const res = await closedLoop({
    url: `${server.url}/graphql`,
    agent: server.agent,
    clients: 50,
    durationMs: seconds * 1000,
    headers: { authorization: `Bearer ${server.token}` },
    body: (c, n) => {
      return JSON.stringify({ query: STAGE, variables: { input: { method: 'LOCAL_COPY', items: [{ source: 'one.bin', target: `c${c}/${n}.bin` }] } } });
    },
  });
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  console.log(metrics.split('\n').filter((l) => /^nodejs_eventloop_lag|^nodejs_gc_duration_seconds_sum/.test(l)).join('\n'));
  const after = res.latencies.slice(500);
  console.log(`after the first 500: p50 ${percentile(after, 50).toFixed(0)} p99 ${percentile(after, 99).toFixed(0)} max ${Math.max(...after).toFixed(0)}; first 500 max ${Math.max(...res.latencies.slice(0, 500)).toFixed(0)}`);
  const per = 250;
  const rows: string[] = [];
  for (let i = 0; i < res.latencies.length; i += per) rows.push(Math.max(...res.latencies.slice(i, i + per)).toFixed(0));
  console.log(`max per ${per} answers: ${rows.join(' ')}`);
  console.log(`${res.latencies.length} requests, p50 ${percentile(res.latencies, 50).toFixed(0)} p99 ${percentile(res.latencies, 99).toFixed(0)} max ${Math.max(...res.latencies).toFixed(0)}`);
} finally {
  await server.stop();
  await server.cleanup();
}
