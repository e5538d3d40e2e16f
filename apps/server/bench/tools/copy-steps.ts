/**
 * `tsx bench/tools/copy-steps.ts <n> <concurrency>`: the steps of one small-file LOCAL_COPY
 * (as copyFileAtomic and the engine do them), each timed, on n fresh 4 KiB files — which step
 * dominates when the disk or the CPUs are busy. Writes into a new folder under /var/tmp.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

const n = Number(process.argv[2] ?? 1000);
const conc = Number(process.argv[3] ?? 16);
const root = await fs.mkdtemp('/var/tmp/stagecoach-copy-steps-');
const src = path.join(root, 'src');
await fs.mkdir(src);
const buf = Buffer.alloc(4096);
for (let i = 0; i < n; i++) await fs.writeFile(path.join(src, `f${i}`), randomFillSync(buf));
await new Promise((r) => setTimeout(r, 3000));
const totals = new Map<string, number>();
const step = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
  const t = performance.now();
  try {
    return await f();
  } finally {
    totals.set(name, (totals.get(name) ?? 0) + performance.now() - t);
  }
};
const dst = path.join(root, 'dst');
let next = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: conc }, async () => {
    for (let i = next++; i < n; i = next++) {
      const s = path.join(src, `f${i}`);
      const d = path.join(dst, `f${i}`);
      const tmp = path.join(dst, `.f${i}.tmp`);
      await step('realpath ×3 (resolve)', async () => {
        await fs.realpath(s);
        await fs.realpath(root);
        await fs.realpath(root);
      });
      await step('lstat target (compare)', () => fs.lstat(d).catch(() => null));
      await step('stat source', () => fs.stat(s, { bigint: true }));
      await step('mkdir -p', () => fs.mkdir(dst, { recursive: true }));
      await step('lstat target (refuse)', () => fs.lstat(d).catch(() => null));
      await step('copyFile ‖ hash', () =>
        Promise.all([
          fs.copyFile(s, tmp, constants.COPYFILE_EXCL),
          (async () => {
            const fh = await fs.open(s, 'r');
            const b = Buffer.allocUnsafe(4097);
            const h = createHash('sha256');
            for (;;) {
              const { bytesRead } = await fh.read(b, 0, b.length, null);
              if (!bytesRead) break;
              h.update(b.subarray(0, bytesRead));
            }
            await fh.close();
            return h.digest('hex');
          })(),
        ]),
      );
      await step('stat source again', () => fs.stat(s, { bigint: true }));
      const fh = await step('open tmp', () => fs.open(tmp, 'r'));
      await step('fstat+fchmod', async () => {
        await fh.stat();
        await fh.chmod(0o444);
      });
      await step('fsync file', () => fh.sync());
      await step('close', () => fh.close());
      await step('link+unlink', async () => {
        await fs.link(tmp, d);
        await fs.unlink(tmp);
      });
    }
  }),
);
const dh = await fs.open(dst, 'r');
await step('fsync folder (once)', () => dh.sync());
await dh.close();
const wall = (performance.now() - t0) / 1000;
console.log(
  `${n} files, concurrency ${conc}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 4}: ${(n / wall).toFixed(0)} files/s`,
);
const sum = [...totals.values()].reduce((a, b) => a + b, 0);
for (const [k, v] of [...totals.entries()].sort((a, b) => b[1] - a[1]))
  console.log(
    `  ${k.padEnd(26)} ${((100 * v) / sum).toFixed(1).padStart(5)}%  ${(v / n).toFixed(3)} ms/file (latency, summed over workers)`,
  );
await fs.rm(root, { recursive: true, force: true });
