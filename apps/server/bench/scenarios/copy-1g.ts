/**
 * copy-1g: one 1 GiB file LOCAL_COPY end to end (mutation → SUCCEEDED pushed over graphql-ws)
 * vs `cp` of the same (page-cached) file on the same disk into a fresh folder. Runs alternate
 * (ours, cp, cp, ours, …) and each starts after `settle()`: earlier writes flushed and freed
 * memory returned to the host, so both sides write into "cold" memory (see bench/README.md).
 * Copies are kept until the end: deleting them between runs would free memory (and discard
 * blocks) right before the next run.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { GiB, makeRandomFile, MiB, settle, timeCommand, warmRead } from '../lib/files';
import type { Scenario } from '../lib/scenario';
import { assertSucceeded, BenchServer } from '../lib/server';
import { fmtRange, pairedRatios, summarize } from '../lib/stats';

export const copy1g: Scenario = {
  name: 'copy-1g',
  description: 'one 1 GiB file LOCAL_COPY end to end vs cp (target ≥ 0.9 of cp)',
  async run(ctx) {
    const bytes = ctx.quick ? 128 * MiB : GiB;
    const server = await BenchServer.start('copy-1g', { env: ctx.serverEnv, nodeArgs: ctx.serverNodeArgs });
    try {
      const src = path.join(server.archive, 'big', 'big.bin');
      ctx.log(`creating ${bytes / MiB} MiB of random data`);
      await makeRandomFile(src, bytes);
      await warmRead(src);
      const refDir = path.join(server.dataDir, 'ref');
      const client = await server.ws();
      const ours: number[] = [];
      const cp: number[] = [];
      const cpSync: number[] = [];

      const runOurs = async (i: number) => {
        await settle();
        const t0 = performance.now();
        const id = await server.stage({ method: 'LOCAL_COPY', items: [{ source: 'big/big.bin', target: `runs/${i}/big.bin` }] });
        const done = await server.waitFinished(client, id);
        const s = (done.finishedAtMs - t0) / 1000;
        assertSucceeded(done);
        const st = await fs.stat(path.join(server.userArea, 'runs', String(i), 'big.bin'));
        if (st.size !== bytes || (st.mode & 0o222) !== 0) throw new Error('the staged copy has the wrong size or is writable');
        ours.push(s);
        ctx.log(`  ours     run ${i}: ${s.toFixed(3)} s  ${(bytes / 1e9 / s).toFixed(2)} GB/s`);
      };
      const runCp = async (i: number) => {
        const dir = path.join(refDir, `cp-${i}`);
        await fs.mkdir(dir, { recursive: true });
        await settle();
        const s = await timeCommand('cp', [src, path.join(dir, 'big.bin')]);
        cp.push(s);
        ctx.log(`  cp       run ${i}: ${s.toFixed(3)} s  ${(bytes / 1e9 / s).toFixed(2)} GB/s`);
      };
      const runCpSync = async (i: number) => {
        const dir = path.join(refDir, `cpsync-${i}`);
        await fs.mkdir(dir, { recursive: true });
        await settle();
        // `sync FILE` fsyncs just that file: the durable reference (ours fsyncs too).
        const s = await timeCommand('sh', ['-c', 'cp "$0" "$1" && sync "$1"', src, path.join(dir, 'big.bin')]);
        cpSync.push(s);
        ctx.log(`  cp+fsync run ${i}: ${s.toFixed(3)} s  ${(bytes / 1e9 / s).toFixed(2)} GB/s`);
      };

      for (let i = 0; i < ctx.runs; i++) {
        if (i % 2 === 0) {
          await runOurs(i);
          await runCp(i);
          await runCpSync(i);
        } else {
          await runCpSync(i);
          await runCp(i);
          await runOurs(i);
        }
      }
      await client.dispose();

      const gbps = (xs: number[]) => summarize(xs.map((s) => bytes / 1e9 / s));
      const oursS = gbps(ours);
      const cpS = gbps(cp);
      const cpSyncS = gbps(cpSync);
      // Seconds per run, so cp/ours is the throughput ratio of the pair.
      const vsCp = pairedRatios(ours, cp, false);
      const vsCpSync = pairedRatios(ours, cpSync, false);
      const ratio = vsCp.median;
      return {
        rows: [
          {
            scenario: 'copy-1g',
            metric: `throughput, ${bytes / MiB} MiB`,
            unit: 'GB/s',
            ours: oursS,
            ref: { name: 'cp', summary: cpS },
            ratio,
            target: { text: 'ratio ≥ 0.9', met: ratio >= 0.9 },
            note: `ours = mutation → SUCCEEDED: kernel copy + sha256 beside it + fsync + link; cp does not fsync. Ratio = median of the ${vsCp.n} side-by-side pairs (${fmtRange(vsCp)}); vs cp+fsync ${fmtRange(vsCpSync)}`,
          },
          {
            scenario: 'copy-1g',
            metric: 'throughput vs durable cp',
            unit: 'GB/s',
            ours: oursS,
            ref: { name: 'cp+fsync', summary: cpSyncS },
            ratio: vsCpSync.median,
          },
        ],
        raw: { bytes, oursSeconds: ours, cpSeconds: cp, cpFsyncSeconds: cpSync },
      };
    } finally {
      await server.stop();
      await server.cleanup();
    }
  },
};
