/**
 * jupyter-copy: one 200 MiB file JUPYTER_COPY end to end (mutation → SUCCEEDED pushed over
 * graphql-ws) into the user's server of a real JupyterHub (the test fixture: Debian's hub,
 * SimpleLocalProcessSpawner, configurable-http-proxy), with the server's RSS sampled every 50 ms.
 * Reference: the same file sent from the bench process with bare fetch() PUTs in the contents
 * API's chunked protocol (same chunk size, same proxy and Jupyter server), nothing else.
 *
 * A warm-up request (1 MiB) spawns the user's Jupyter server first, so no timed run includes the
 * spawn. Every run, ours or the reference's, writes a new path (a real upload, never SKIPPED), and
 * nothing is deleted until the scenario ends.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { startJupyterHub } from '@stagecoach/storage/testing';
import { makeRandomFile, MiB, settle, sleep, warmRead } from '../lib/files';
import { startWithSite, withRssPeak, type SitedServer } from '../lib/remote';
import { alternate, type Scenario } from '../lib/scenario';
import { assertSucceeded, rssOf } from '../lib/server';
import { fmtRange, pairedRatios, summarize } from '../lib/stats';

/** The site's default chunkSizeBytes (4 MiB), rounded down to whole base64 groups as the server does. */
const CHUNK_BYTES = Math.floor((4 * MiB) / 3) * 3;
const HUB_USER = 'bench';

/** The reference: `file` PUT to `<serverUrl>api/contents/<remotePath>` in chunks (1, 2, …, -1), base64 in JSON. */
async function bareChunkedUpload(serverUrl: string, token: string, file: string, remotePath: string): Promise<void> {
  const fh = await fs.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const data = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let position = 0, chunk = 1; position < size; chunk++) {
      const want = Math.min(CHUNK_BYTES, size - position);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await fh.read(data, got, want - got, position + got);
        if (bytesRead === 0) throw new Error(`${file} ended early`);
        got += bytesRead;
      }
      position += got;
      const res = await fetch(`${serverUrl}api/contents/${remotePath}`, {
        method: 'PUT',
        headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'file',
          format: 'base64',
          chunk: position >= size ? -1 : chunk,
          content: data.toString('base64', 0, got),
        }),
      });
      if (!res.ok) throw new Error(`PUT ${remotePath} chunk ${chunk}: HTTP ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
  } finally {
    await fh.close();
  }
}

export const jupyterCopy: Scenario = {
  name: 'jupyter-copy',
  description:
    'one 200 MiB JUPYTER_COPY into a real JupyterHub: throughput and server RSS growth (target < 100 MB), vs bare chunked PUTs',
  async run(ctx) {
    const bytes = ctx.quick ? 32 * MiB : 200 * MiB;
    ctx.log('starting JupyterHub (the test fixture; installs Debian’s packages on first use, ~90 s)');
    const hub = await startJupyterHub();
    let sited: SitedServer | undefined;
    try {
      sited = await startWithSite(
        'jupyter-copy',
        ctx,
        {
          id: 'hub',
          name: 'Bench hub',
          kind: 'JUPYTERHUB',
          url: hub.url,
          token: { env: 'BENCH_HUB_TOKEN' },
          default: true,
          spawnTimeoutSeconds: 120,
        },
        { BENCH_HUB_TOKEN: hub.token },
      );
      const { server, archive } = sited;
      await hub.createUser(HUB_USER);
      const src = path.join(archive, 'big', 'big.bin');
      ctx.log(`creating ${bytes / MiB} MiB of random data`);
      await makeRandomFile(src, bytes);
      await makeRandomFile(path.join(archive, 'warm', 'warm.bin'), MiB);
      const client = await server.ws();

      // Warm-up: spawns the user's Jupyter server (and loads the server's upload path) outside every timing.
      const tw = performance.now();
      const warm = await server.waitFinished(
        client,
        await server.stage({ method: 'JUPYTER_COPY', items: [{ source: 'warm/warm.bin', target: 'warmup/warm.bin' }] }),
      );
      assertSucceeded(warm);
      const warmSeconds = (warm.finishedAtMs - tw) / 1000;
      if (!(await hub.isRunning(HUB_USER))) throw new Error('the Jupyter server is not running after the warm-up');
      ctx.log(`  warm-up (spawns the Jupyter server): ${warmSeconds.toFixed(1)} s`);

      const serverUrl = `${hub.url}user/${HUB_USER}/`;
      const mkdir = await fetch(`${serverUrl}api/contents/refs`, {
        method: 'PUT',
        headers: { authorization: `token ${hub.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'directory' }),
      });
      if (!mkdir.ok) throw new Error(`creating refs/: HTTP ${mkdir.status} ${await mkdir.text()}`);
      await mkdir.arrayBuffer();
      await warmRead(src);

      const ours: number[] = [];
      const ref: number[] = [];
      const rss: { before: number; peak: number; after: number }[] = [];
      const checkSize = async (rel: string) => {
        const st = await fs.stat(path.join(hub.home(HUB_USER), rel));
        if (st.size !== bytes) throw new Error(`${rel} has ${st.size} bytes in the Jupyter home, expected ${bytes}`);
      };
      // Growth is measured from the server's RSS before the first timed run (after the warm-up), as
      // in tar-2g: memory a run keeps afterwards must not hide the next run's growth.
      await settle();
      const baseline = await rssOf(server.pid);

      const runOurs = async (i: number) => {
        await settle();
        const t0 = performance.now();
        const {
          value: done,
          before,
          peak,
        } = await withRssPeak(server.pid, async () =>
          server.waitFinished(
            client,
            await server.stage({ method: 'JUPYTER_COPY', items: [{ source: 'big/big.bin', target: `runs/${i}/big.bin` }] }),
          ),
        );
        const s = (done.finishedAtMs - t0) / 1000;
        assertSucceeded(done);
        await checkSize(`staged/runs/${i}/big.bin`);
        await sleep(1000);
        const after = await rssOf(server.pid);
        ours.push(s);
        rss.push({ before, peak, after });
        ctx.log(
          `  ours     run ${i}: ${s.toFixed(2)} s  ${(bytes / 1e6 / s).toFixed(1)} MB/s, RSS ${(before / MiB).toFixed(0)} → peak ${(peak / MiB).toFixed(0)} → ${(after / MiB).toFixed(0)} MiB`,
        );
      };
      const runRef = async (i: number) => {
        await settle();
        const t0 = performance.now();
        await bareChunkedUpload(serverUrl, hub.token, src, `refs/big-${i}.bin`);
        const s = (performance.now() - t0) / 1000;
        await checkSize(`refs/big-${i}.bin`);
        ref.push(s);
        ctx.log(`  bare PUT run ${i}: ${s.toFixed(2)} s  ${(bytes / 1e6 / s).toFixed(1)} MB/s`);
      };
      await alternate(ctx.runs, runOurs, runRef);
      await client.dispose();

      const mbps = (xs: number[]) => summarize(xs.map((s) => bytes / 1e6 / s));
      // Seconds per run, so ref/ours is the throughput ratio of the pair.
      const vsRef = pairedRatios(ours, ref, false);
      const growth = summarize(rss.map((x) => (x.peak - baseline) / 1e6));
      return {
        rows: [
          {
            scenario: 'jupyter-copy',
            metric: `throughput, ${bytes / MiB} MiB`,
            unit: 'MB/s',
            ours: mbps(ours),
            ref: { name: 'bare PUTs', summary: mbps(ref) },
            ratio: vsRef.median,
            note: `ours = mutation → SUCCEEDED: stat, folder PUTs, ${Math.ceil(bytes / CHUNK_BYTES)} chunked PUTs of ${(CHUNK_BYTES / MiB).toFixed(0)} MiB (base64 JSON) to a part name with sha256 of the source beside them, stat, rename; median ${summarize(ours).median.toFixed(2)} s per upload (bare PUTs ${summarize(ref).median.toFixed(2)} s: the chunks alone, from the bench process). Through the hub's proxy into a running server: the warm-up that spawned it took ${warmSeconds.toFixed(1)} s and is not counted. Ratio = median of the ${vsRef.n} side-by-side pairs (${fmtRange(vsRef)})`,
          },
          {
            scenario: 'jupyter-copy',
            metric: 'server RSS growth during the upload',
            unit: 'MB',
            ours: growth,
            target: { text: 'RSS growth < 100 MB', met: growth.max < 100 },
            note: `peak − RSS before the first timed run (${(baseline / 1e6).toFixed(0)} MB, after the warm-up); per run before/peak/after: ${rss.map((x) => `${(x.before / 1e6).toFixed(0)}/${(x.peak / 1e6).toFixed(0)}/${(x.after / 1e6).toFixed(0)}`).join(', ')} MB`,
          },
        ],
        raw: {
          bytes,
          chunkBytes: CHUNK_BYTES,
          warmupSeconds: warmSeconds,
          oursSeconds: ours,
          bareSeconds: ref,
          rssBaseline: baseline,
          rss,
        },
      };
    } finally {
      await sited?.close();
      await hub.stop();
    }
  },
};
