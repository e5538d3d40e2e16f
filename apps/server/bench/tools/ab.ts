/**
 * A/B runs for before/after numbers on a shared, noisy machine: two servers (two builds, or one
 * build with two environments) run side by side and take turns (A B B A …) on the same work,
 * so slow drifts in the machine's load hit both alike; reports each side's min/median/max.
 *
 *   tsx bench/tools/ab.ts files   <dirA> <dirB> [--runs 6] [--n 2000] [--envA K=V] [--envB K=V]
 *   tsx bench/tools/ab.ts stage50 <dirA> <dirB> [--runs 4] [--seconds 10] [--method LOCAL_COPY]
 *   tsx bench/tools/ab.ts copy    <dirA> <dirB> [--runs 4] [--mib 1024]
 *   tsx bench/tools/ab.ts tar     <dirA> <dirB> [--runs 4] [--mib 512]   (bundle of 2 × mib)
 *
 * <dir> is a server package (e.g. apps/server, or an exported older commit whose node_modules
 * are links to this checkout's); both are rebuilt first unless --no-build.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { KiB, makeRandomFile, makeSmallFiles, MiB, settle, sh, sleep, warmRead } from '../lib/files';
import { closedLoop } from '../lib/load';
import { assertSucceeded, BenchServer, cpuSeconds, rssOf } from '../lib/server';
import { percentile, summarize, type Summary } from '../lib/stats';

const [kind, dirA, dirB, ...rest] = process.argv.slice(2);
if (!kind || !dirA || !dirB) throw new Error('usage: ab.ts files|stage50|copy <dirA> <dirB> [options]');
const opt = (name: string, def: string) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? rest[i + 1]! : def;
};
const envOf = (side: 'A' | 'B') => {
  const env: Record<string, string> = {};
  rest.forEach((a, i) => {
    if (a === `--env${side}`) {
      const [k, ...v] = rest[i + 1]!.split('=');
      env[k!] = v.join('=');
    }
  });
  return env;
};
const runs = Number(opt('runs', kind === 'files' ? '6' : '4'));
const log = (m: string) => process.stderr.write(`${m}\n`);
const fmt = (s: Summary) => `${s.min.toFixed(1)} / ${s.median.toFixed(1)} / ${s.max.toFixed(1)}`;

if (!rest.includes('--no-build')) {
  for (const d of [dirA, dirB]) {
    log(`› building ${d}`);
    if (spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: d, stdio: 'inherit' }).status !== 0)
      throw new Error(`build failed in ${d}`);
  }
}
const servers = {
  A: await BenchServer.start('ab-a', { serverDir: dirA, env: envOf('A') }),
  B: await BenchServer.start('ab-b', { serverDir: dirB, env: envOf('B') }),
};
const order = (r: number) => (r % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const));

try {
  if (kind === 'files') {
    const n = Number(opt('n', '2000'));
    for (const s of Object.values(servers)) await makeSmallFiles(path.join(s.archive, 'small'), n, 4 * KiB);
    const rates: Record<'A' | 'B', number[]> = { A: [], B: [] };
    const cpu: Record<'A' | 'B', { server: number[]; pg: number[] }> = { A: { server: [], pg: [] }, B: { server: [], pg: [] } };
    for (let r = 0; r < runs; r++) {
      for (const side of order(r)) {
        const s = servers[side];
        const client = await s.ws();
        await settle(2000);
        const c0 = await cpuSeconds(s);
        const t0 = performance.now();
        const id = await s.stage({ method: 'LOCAL_COPY', items: [{ source: 'small', target: `runs/${r}` }] });
        const done = await s.waitFinished(client, id);
        const c1 = await cpuSeconds(s);
        assertSucceeded(done);
        await client.dispose();
        const rate = n / ((done.finishedAtMs - t0) / 1000);
        rates[side].push(rate);
        cpu[side].server.push(((c1.server - c0.server) * 1000) / n);
        cpu[side].pg.push(((c1.postgres - c0.postgres) * 1000) / n);
        log(
          `  ${side} run ${r}: ${rate.toFixed(0)} files/s, CPU ms/file: server ${cpu[side].server.at(-1)!.toFixed(3)}, postgres ${cpu[side].pg.at(-1)!.toFixed(3)}`,
        );
      }
    }
    log(
      `files/s  A: ${fmt(summarize(rates.A))}   B: ${fmt(summarize(rates.B))}   B/A median ${(summarize(rates.B).median / summarize(rates.A).median).toFixed(2)}`,
    );
    for (const k of ['server', 'pg'] as const) {
      const a = summarize(cpu.A[k]);
      const b = summarize(cpu.B[k]);
      log(`${k} CPU ms/file  A: ${a.median.toFixed(3)}   B: ${b.median.toFixed(3)}   B/A ${(b.median / a.median).toFixed(2)}`);
    }
  } else if (kind === 'copy') {
    const bytes = Number(opt('mib', '1024')) * MiB;
    for (const s of Object.values(servers)) {
      await makeRandomFile(path.join(s.archive, 'big.bin'), bytes);
      await warmRead(path.join(s.archive, 'big.bin'));
    }
    const rates: Record<'A' | 'B', number[]> = { A: [], B: [] };
    for (let r = 0; r < runs; r++) {
      for (const side of order(r)) {
        const s = servers[side];
        const client = await s.ws();
        await settle();
        const t0 = performance.now();
        const id = await s.stage({ method: 'LOCAL_COPY', items: [{ source: 'big.bin', target: `runs/${r}.bin` }] });
        const done = await s.waitFinished(client, id);
        assertSucceeded(done);
        await client.dispose();
        rates[side].push(bytes / 1e9 / ((done.finishedAtMs - t0) / 1000));
        log(`  ${side} run ${r}: ${rates[side].at(-1)!.toFixed(2)} GB/s`);
      }
    }
    log(
      `GB/s  A: ${fmt(summarize(rates.A))}   B: ${fmt(summarize(rates.B))}   B/A median ${(summarize(rates.B).median / summarize(rates.A).median).toFixed(2)}`,
    );
  } else if (kind === 'stage50') {
    const seconds = Number(opt('seconds', '10'));
    const method = opt('method', 'LOCAL_COPY');
    for (const s of Object.values(servers)) await makeRandomFile(path.join(s.archive, 'one', 'src.bin'), 4 * KiB);
    const res: Record<
      'A' | 'B',
      { p50: number; p99: number; rps: number; done: number; drain: number; cpu: number; pgCpu: number }[]
    > = { A: [], B: [] };
    const STAGE = `mutation($input: StageInput!) { stage(input: $input) { id } }`;
    for (let r = 0; r < runs; r++) {
      for (const side of order(r)) {
        const s = servers[side];
        await settle(2000);
        const count = async (st: string[]) =>
          (
            await s.must<{ stagingRequests: { totalCount: number } }>(
              `query($s: [RequestStatus!]) { stagingRequests(first: 1, status: $s) { totalCount } }`,
              { s: st },
            )
          ).stagingRequests.totalCount;
        const before = await count(['SUCCEEDED']);
        const c0 = await cpuSeconds(s);
        const load = await closedLoop({
          url: `${s.url}/graphql`,
          agent: s.agent,
          clients: 50,
          durationMs: seconds * 1000,
          headers: { authorization: `Bearer ${s.token}` },
          body: (c, n) =>
            JSON.stringify({
              query: STAGE,
              variables: { input: { method, items: [{ source: 'one/src.bin', target: `r${r}/c${c}/${n}.bin` }] } },
            }),
          check: (json) =>
            (json as { errors?: unknown }).errors ? JSON.stringify((json as { errors?: unknown }).errors).slice(0, 200) : null,
        });
        if (load.errors) throw new Error(`${side}: ${load.errors} errors: ${load.firstError}`);
        const completed = (await count(['SUCCEEDED'])) - before;
        const t0 = performance.now();
        while ((await count(['QUEUED', 'RUNNING'])) > 0) await sleep(100);
        const c1 = await cpuSeconds(s);
        const requests = load.latencies.length;
        const row = {
          cpu: ((c1.server - c0.server) * 1000) / requests,
          pgCpu: ((c1.postgres - c0.postgres) * 1000) / requests,
          p50: percentile(load.latencies, 50),
          p99: percentile(load.latencies, 99),
          rps: load.latencies.length / load.seconds,
          done: completed / load.seconds,
          drain: (performance.now() - t0) / 1000,
        };
        res[side].push(row);
        log(
          `  ${side} run ${r}: p50 ${row.p50.toFixed(0)} ms, p99 ${row.p99.toFixed(0)} ms, ${row.rps.toFixed(0)} req/s, ${row.done.toFixed(0)} files/s done in window, drain ${row.drain.toFixed(1)} s; CPU ms per request+job: server ${row.cpu.toFixed(2)}, postgres ${row.pgCpu.toFixed(2)}`,
        );
      }
    }
    for (const k of ['p50', 'p99', 'rps', 'done', 'drain', 'cpu', 'pgCpu'] as const) {
      const a = summarize(res.A.map((x) => x[k]));
      const b = summarize(res.B.map((x) => x[k]));
      log(`${k.padEnd(6)} A: ${fmt(a)}   B: ${fmt(b)}   B/A median ${(b.median / a.median).toFixed(2)}`);
    }
  } else if (kind === 'tar') {
    const each = Number(opt('mib', '512')) * MiB;
    const urls: Record<'A' | 'B', string> = { A: '', B: '' };
    for (const side of ['A', 'B'] as const) {
      const s = servers[side];
      for (const f of ['a.bin', 'b.bin']) await makeRandomFile(path.join(s.archive, 'tar', f), each);
      await warmRead(path.join(s.archive, 'tar', 'a.bin'), path.join(s.archive, 'tar', 'b.bin'));
      const client = await s.ws();
      const done = await s.waitFinished(client, await s.stage({ method: 'DIRECT_DOWNLOAD', items: [{ source: 'tar' }] }));
      await client.dispose();
      assertSucceeded(done);
      urls[side] = done.downloadUrl!;
    }
    const rates: Record<'A' | 'B', number[]> = { A: [], B: [] };
    const growth: Record<'A' | 'B', number[]> = { A: [], B: [] };
    for (let r = 0; r < runs; r++) {
      for (const side of order(r)) {
        const s = servers[side];
        await settle(2000);
        const before = await rssOf(s.pid);
        let peak = before;
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            peak = Math.max(peak, await rssOf(s.pid));
            await sleep(50);
          }
        })();
        const out = await sh('curl', [
          '-sS',
          '--fail',
          '-o',
          '/dev/null',
          '-w',
          '%{size_download} %{time_total}',
          urls[side],
        ]).finally(() => (sampling = false));
        await sampler;
        const [bytes, secs] = out.trim().split(' ').map(Number);
        rates[side].push(bytes! / 1e9 / secs!);
        growth[side].push((peak - before) / 1e6);
        log(`  ${side} run ${r}: ${rates[side].at(-1)!.toFixed(2)} GB/s, RSS +${growth[side].at(-1)!.toFixed(0)} MB`);
      }
    }
    log(
      `GB/s  A: ${fmt(summarize(rates.A))}   B: ${fmt(summarize(rates.B))}   B/A median ${(summarize(rates.B).median / summarize(rates.A).median).toFixed(2)}`,
    );
    log(`RSS growth MB  A: ${fmt(summarize(growth.A))}   B: ${fmt(summarize(growth.B))}`);
  } else throw new Error(`unknown kind ${kind}`);
} finally {
  for (const s of Object.values(servers)) {
    await s.stop();
    await s.cleanup();
  }
}
