/**
 * s3-copy: one 1 GiB file S3_COPY end to end (mutation → SUCCEEDED pushed over graphql-ws) into a
 * real S3 server (the test fixture: s3rver, in its own process on loopback), with the server's RSS
 * sampled every 50 ms. The site keeps the schema's defaults (16 MiB parts, 4 in flight).
 * Reference: the same file uploaded from the bench process with the same SDK call the server
 * makes (`@aws-sdk/lib-storage` Upload, same part size and queue, same s3rver), and nothing else:
 * no hashing pass before it, no HEAD and ETag check after it, no database.
 *
 * A warm-up request (1 MiB) and a warm-up reference upload come first (connections, lazily loaded
 * modules). Every run writes a new key (a real upload, never SKIPPED), and no object is deleted
 * until the scenario ends.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startS3rver } from '@stagecoach/storage/testing';
import { GiB, makeRandomFile, MiB, settle, sleep, warmRead } from '../lib/files';
import { startWithSite, withRssPeak, type SitedServer } from '../lib/remote';
import { alternate, type Scenario } from '../lib/scenario';
import { assertSucceeded, rssOf } from '../lib/server';
import { fmtRange, pairedRatios, summarize } from '../lib/stats';

const BUCKET = 'bench';
/** S3SiteSchema's defaults, which the site below keeps. */
const PART_BYTES = 16 * MiB;
const QUEUE_SIZE = 4;

export const s3Copy: Scenario = {
  name: 's3-copy',
  description:
    'one 1 GiB S3_COPY into s3rver: throughput and server RSS growth (target < 100 MB), vs the same lib-storage Upload alone',
  async run(ctx) {
    const bytes = ctx.quick ? 64 * MiB : GiB;
    const s3 = await startS3rver({ buckets: [BUCKET] });
    let sited: SitedServer | undefined;
    const sdk = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      // As the server's client: no CRC32 trailers (s3rver does not understand aws-chunked bodies).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    try {
      sited = await startWithSite(
        's3-copy',
        ctx,
        {
          id: 'objects',
          name: 'Bench bucket',
          kind: 'S3',
          endpoint: s3.endpoint,
          region: s3.region,
          bucket: BUCKET,
          forcePathStyle: true,
          prefix: 'users/{username}/',
          default: true,
          credentials: { accessKeyId: { env: 'BENCH_S3_ACCESS_KEY' }, secretAccessKey: { env: 'BENCH_S3_SECRET_KEY' } },
        },
        { BENCH_S3_ACCESS_KEY: s3.accessKeyId, BENCH_S3_SECRET_KEY: s3.secretAccessKey },
      );
      const { server, archive } = sited;
      const src = path.join(archive, 'big', 'big.bin');
      const warmSrc = path.join(archive, 'warm', 'warm.bin');
      ctx.log(`creating ${bytes / MiB} MiB of random data`);
      await makeRandomFile(src, bytes);
      await makeRandomFile(warmSrc, MiB);
      const client = await server.ws();

      const sdkUpload = async (file: string, key: string) => {
        const upload = new Upload({
          client: sdk,
          queueSize: QUEUE_SIZE,
          partSize: PART_BYTES,
          leavePartsOnError: false,
          params: {
            Bucket: BUCKET,
            Key: key,
            Body: createReadStream(file, { highWaterMark: MiB }),
            ContentType: 'application/octet-stream',
          },
        });
        await upload.done();
      };
      const checkSize = async (key: string) => {
        const head = await sdk.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
        if (head.ContentLength !== bytes)
          throw new Error(`${key} has ${head.ContentLength} bytes in the bucket, expected ${bytes}`);
      };

      // Warm-up, outside every timing: the server's S3 path and the bench's SDK client.
      const warm = await server.waitFinished(
        client,
        await server.stage({ method: 'S3_COPY', items: [{ source: 'warm/warm.bin', target: 'warmup/warm.bin' }] }),
      );
      assertSucceeded(warm);
      await sdkUpload(warmSrc, 'ref/warmup/warm.bin');
      await warmRead(src);

      const ours: number[] = [];
      const ref: number[] = [];
      const rss: { before: number; peak: number; after: number }[] = [];
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
            await server.stage({ method: 'S3_COPY', items: [{ source: 'big/big.bin', target: `runs/${i}/big.bin` }] }),
          ),
        );
        const s = (done.finishedAtMs - t0) / 1000;
        assertSucceeded(done);
        await checkSize(`users/bench/runs/${i}/big.bin`);
        await sleep(1000);
        const after = await rssOf(server.pid);
        ours.push(s);
        rss.push({ before, peak, after });
        ctx.log(
          `  ours   run ${i}: ${s.toFixed(2)} s  ${(bytes / 1e6 / s).toFixed(1)} MB/s, RSS ${(before / MiB).toFixed(0)} → peak ${(peak / MiB).toFixed(0)} → ${(after / MiB).toFixed(0)} MiB`,
        );
      };
      const runRef = async (i: number) => {
        await settle();
        const t0 = performance.now();
        await sdkUpload(src, `ref/${i}/big.bin`);
        const s = (performance.now() - t0) / 1000;
        await checkSize(`ref/${i}/big.bin`);
        ref.push(s);
        ctx.log(`  Upload run ${i}: ${s.toFixed(2)} s  ${(bytes / 1e6 / s).toFixed(1)} MB/s`);
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
            scenario: 's3-copy',
            metric: `throughput, ${bytes / MiB} MiB`,
            unit: 'MB/s',
            ours: mbps(ours),
            ref: { name: 'lib-storage Upload', summary: mbps(ref) },
            ratio: vsRef.median,
            note: `ours = mutation → SUCCEEDED: a read of the file for its SHA-256 and expected ETag, HEAD, multipart upload (${Math.ceil(bytes / PART_BYTES)} parts of ${PART_BYTES / MiB} MiB, ${QUEUE_SIZE} in flight), HEAD, and — s3rver answers a whole-content MD5 ETag — one more read for that MD5; median ${summarize(ours).median.toFixed(2)} s per file. Reference = the same Upload call from the bench process alone (${summarize(ref).median.toFixed(2)} s). Ratio = median of the ${vsRef.n} side-by-side pairs (${fmtRange(vsRef)})`,
          },
          {
            scenario: 's3-copy',
            metric: 'server RSS growth during the upload',
            unit: 'MB',
            ours: growth,
            target: { text: 'RSS growth < 100 MB', met: growth.max < 100 },
            note: `peak − RSS before the first timed run (${(baseline / 1e6).toFixed(0)} MB, after a 1 MiB warm-up); per run before/peak/after: ${rss.map((x) => `${(x.before / 1e6).toFixed(0)}/${(x.peak / 1e6).toFixed(0)}/${(x.after / 1e6).toFixed(0)}`).join(', ')} MB. This site's partSize × queueSize = ${(PART_BYTES * QUEUE_SIZE) / MiB} MiB of part buffers is the documented bound (one reused buffer per part in flight)`,
          },
        ],
        raw: {
          bytes,
          partBytes: PART_BYTES,
          queueSize: QUEUE_SIZE,
          oursSeconds: ours,
          uploadSeconds: ref,
          rssBaseline: baseline,
          rss,
        },
      };
    } finally {
      sdk.destroy();
      await sited?.close();
      await s3.stop();
    }
  },
};
