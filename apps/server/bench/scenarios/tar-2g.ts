/**
 * tar-2g: server RSS before, while and after streaming a 2 GiB tar bundle (DIRECT_DOWNLOAD of a
 * folder holding two 1 GiB files) to `curl -o /dev/null`, sampled from /proc/<pid>/status every
 * 50 ms. Throughput is compared with curl fetching the same bytes from a bare static-file server
 * (createReadStream → http) and with `cat` reading them to /dev/null; runs alternate.
 */
import path from 'node:path';
import { GiB, makeRandomFile, MiB, settle, sh, sleep, timeCommand, warmRead } from '../lib/files';
import type { Scenario } from '../lib/scenario';
import { assertSucceeded, BenchServer, rssOf, startFloorServer } from '../lib/server';
import { pairedRatios, summarize } from '../lib/stats';

async function curl(url: string): Promise<{ bytes: number; seconds: number }> {
  const out = await sh('curl', ['-sS', '--fail', '-o', '/dev/null', '-w', '%{size_download} %{time_total}', url]);
  const [bytes, seconds] = out.trim().split(' ').map(Number);
  return { bytes: bytes!, seconds: seconds! };
}

export const tar2g: Scenario = {
  name: 'tar-2g',
  description: 'server RSS while streaming a 2 GiB tar bundle (target growth < 100 MB), vs curl of a static file server and cat',
  async run(ctx) {
    const each = ctx.quick ? 128 * MiB : GiB;
    const server = await BenchServer.start('tar-2g', { env: ctx.serverEnv, nodeArgs: ctx.serverNodeArgs });
    let floor: Awaited<ReturnType<typeof startFloorServer>> | undefined;
    try {
      const files = [path.join(server.archive, 'tar', 'a.bin'), path.join(server.archive, 'tar', 'b.bin')];
      ctx.log(`creating 2 × ${each / MiB} MiB of random data`);
      for (const f of files) await makeRandomFile(f, each);
      floor = await startFloorServer(files);
      const client = await server.ws();
      const id = await server.stage({ method: 'DIRECT_DOWNLOAD', items: [{ source: 'tar' }] });
      const done = await server.waitFinished(client, id);
      assertSucceeded(done);
      await client.dispose();
      if (!done.downloadUrl) throw new Error('no downloadUrl');
      const url = done.downloadUrl;
      await warmRead(...files);

      const ours: number[] = [];
      const ref: number[] = [];
      const cat: number[] = [];
      const rss: { before: number; peak: number; after: number }[] = [];
      // Growth is measured from the server's RSS before the first download: memory a run keeps
      // afterwards (allocator, JIT) must not hide the next run's growth.
      await settle();
      const baseline = await rssOf(server.pid);
      const runOurs = async (r: number) => {
        await settle();
        const before = await rssOf(server.pid);
        let peak = before;
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            peak = Math.max(peak, await rssOf(server.pid));
            await sleep(50);
          }
        })();
        const res = await curl(url).finally(() => (sampling = false));
        await sampler;
        await sleep(1000);
        const after = await rssOf(server.pid);
        if (res.bytes < 2 * each) throw new Error(`bundle has ${res.bytes} bytes, expected at least ${2 * each}`);
        ours.push(res.bytes / 1e9 / res.seconds);
        rss.push({ before, peak, after });
        ctx.log(
          `  ours (tar) run ${r}: ${(res.bytes / 1e9 / res.seconds).toFixed(2)} GB/s, RSS ${(before / MiB).toFixed(0)} → peak ${(peak / MiB).toFixed(0)} → ${(after / MiB).toFixed(0)} MiB`,
        );
      };
      const runRef = async (r: number) => {
        await settle();
        const res = await curl(floor!.url);
        ref.push(res.bytes / 1e9 / res.seconds);
        ctx.log(`  static     run ${r}: ${(res.bytes / 1e9 / res.seconds).toFixed(2)} GB/s`);
        await settle();
        const s = await timeCommand('cat', files);
        cat.push((2 * each) / 1e9 / s);
        ctx.log(`  cat        run ${r}: ${((2 * each) / 1e9 / s).toFixed(2)} GB/s`);
      };
      for (let r = 0; r < Math.min(ctx.runs, 3); r++) {
        if (r % 2 === 0) {
          await runOurs(r);
          await runRef(r);
        } else {
          await runRef(r);
          await runOurs(r);
        }
      }
      const oursS = summarize(ours);
      const refS = summarize(ref);
      const growth = summarize(rss.map((x) => (x.peak - baseline) / 1e6));
      return {
        rows: [
          {
            scenario: 'tar-2g',
            metric: `tar bundle, 2 × ${each / MiB} MiB`,
            unit: 'GB/s',
            ours: oursS,
            ref: { name: 'curl static', summary: refS },
            ratio: pairedRatios(ours, ref, true).median,
          },
          {
            scenario: 'tar-2g',
            metric: 'tar bundle vs cat',
            unit: 'GB/s',
            ours: oursS,
            ref: { name: 'cat', summary: summarize(cat) },
            ratio: pairedRatios(ours, cat, true).median,
          },
          {
            scenario: 'tar-2g',
            metric: 'server RSS growth while streaming',
            unit: 'MB',
            ours: growth,
            target: { text: '< 100 MB', met: growth.max < 100 },
            note: `peak − RSS before the first download (${(baseline / 1e6).toFixed(0)} MB); per run before/peak/after: ${rss.map((x) => `${(x.before / 1e6).toFixed(0)}/${(x.peak / 1e6).toFixed(0)}/${(x.after / 1e6).toFixed(0)}`).join(', ')} MB`,
          },
        ],
        raw: { bytesEach: each, oursGBps: ours, staticGBps: ref, catGBps: cat, rssBaseline: baseline, rss },
      };
    } finally {
      await floor?.stop();
      await server.stop();
      await server.cleanup();
    }
  },
};
