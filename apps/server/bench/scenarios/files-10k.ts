/**
 * files-10k: one request of 10,000 files of 4 KiB (a folder, expanded by the server) end to end,
 * vs `cp -r` of the same folder. Every run writes into a new folder and nothing is deleted until
 * the end: ext4 without a journal skips recently freed inodes, which makes creating files right
 * after an `rm -rf` several times slower (see "Measuring on a shared VM" in bench/README.md).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { KiB, makeSmallFiles, settle, timeCommand } from '../lib/files';
import type { Scenario } from '../lib/scenario';
import { assertSucceeded, BenchServer } from '../lib/server';
import { fmtRange, pairedRatios, summarize } from '../lib/stats';

export const files10k: Scenario = {
  name: 'files-10k',
  description: 'one request of 10,000 files of 4 KiB (target ≥ 1,500 files/s), vs cp -r',
  async run(ctx) {
    const count = ctx.quick ? 1000 : 10_000;
    const server = await BenchServer.start('files-10k', { env: ctx.serverEnv, nodeArgs: ctx.serverNodeArgs });
    try {
      const srcDir = path.join(server.archive, 'small');
      ctx.log(`creating ${count} files of 4 KiB`);
      await makeSmallFiles(srcDir, count, 4 * KiB);
      const refDir = path.join(server.dataDir, 'ref');
      await fs.mkdir(refDir);
      const client = await server.ws();
      const ours: number[] = [];
      const cpr: number[] = [];
      const cprSync: number[] = [];

      const runOurs = async (i: number) => {
        await settle();
        const t0 = performance.now();
        const id = await server.stage({ method: 'LOCAL_COPY', items: [{ source: 'small', target: `runs/${i}` }] });
        const done = await server.waitFinished(client, id);
        const s = (done.finishedAtMs - t0) / 1000;
        assertSucceeded(done);
        if (done.filesDone !== count) throw new Error(`expected ${count} files, got ${done.filesDone}`);
        ours.push(s);
        ctx.log(`  ours        run ${i}: ${s.toFixed(3)} s  ${(count / s).toFixed(0)} files/s`);
      };
      const runCp = async (i: number) => {
        await settle();
        const s = await timeCommand('cp', ['-r', srcDir, path.join(refDir, `cpr-${i}`)]);
        cpr.push(s);
        ctx.log(`  cp -r       run ${i}: ${s.toFixed(3)} s  ${(count / s).toFixed(0)} files/s`);
      };
      const runCpSync = async (i: number) => {
        await settle();
        // `sync -f` = syncfs of the target's file system: the durable reference (ours fsyncs every file).
        const s = await timeCommand('sh', ['-c', 'cp -r "$0" "$1" && sync -f "$1"', srcDir, path.join(refDir, `cprsync-${i}`)]);
        cprSync.push(s);
        ctx.log(`  cp -r+sync  run ${i}: ${s.toFixed(3)} s  ${(count / s).toFixed(0)} files/s`);
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

      const rate = (xs: number[]) => summarize(xs.map((s) => count / s));
      const oursS = rate(ours);
      const cprS = rate(cpr);
      const cprSyncS = rate(cprSync);
      // Seconds per run, so ref/ours is the throughput ratio of the pair.
      const vsCp = pairedRatios(ours, cpr, false);
      const vsCpSync = pairedRatios(ours, cprSync, false);
      return {
        rows: [
          {
            scenario: 'files-10k',
            metric: `${count} × 4 KiB, one request`,
            unit: 'files/s',
            ours: oursS,
            ref: { name: 'cp -r', summary: cprS },
            ratio: vsCp.median,
            target: { text: '≥ 1,500 files/s', met: oursS.median >= 1500 },
            note: `ours: validation + walk + rows + jobs, then per file copy + sha256 + fsync + link + folder fsync per flush, logs and counters. Ratios = median of side-by-side pairs (cp -r ${fmtRange(vsCp)}, durable ${fmtRange(vsCpSync)})`,
          },
          {
            scenario: 'files-10k',
            metric: 'vs durable cp -r',
            unit: 'files/s',
            ours: oursS,
            ref: { name: 'cp -r + sync -f', summary: cprSyncS },
            ratio: vsCpSync.median,
          },
        ],
        raw: { count, oursSeconds: ours, cpRSeconds: cpr, cpRSyncSeconds: cprSync },
      };
    } finally {
      await server.stop();
      await server.cleanup();
    }
  },
};
