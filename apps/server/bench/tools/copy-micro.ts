/**
 * `tsx bench/tools/copy-micro.ts <n> <concurrency> [defer]`: copyFileAtomic on n fresh 4 KiB
 * files without the engine around it (no DB, no jobs), to split a slow files-10k run into
 * "the storage layer" and "everything else". Writes into a new folder under /var/tmp.
 */
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { copyFileAtomic, syncDirectories } from '@stagecoach/storage';

const n = Number(process.argv[2] ?? 1000);
const conc = Number(process.argv[3] ?? 16);
const defer = process.argv[4] === 'defer';
const root = await fs.mkdtemp('/var/tmp/stagecoach-copy-micro-');
const src = path.join(root, 'src');
await fs.mkdir(src);
const buf = Buffer.alloc(4096);
for (let i = 0; i < n; i++) await fs.writeFile(path.join(src, `f${i}`), randomFillSync(buf));
await new Promise((r) => setTimeout(r, 3000));
const dirs = new Set<string>();
let next = 0;
const u0 = process.cpuUsage();
const t0 = performance.now();
await Promise.all(
  Array.from({ length: conc }, async () => {
    for (let i = next++; i < n; i = next++) {
      await copyFileAtomic(
        path.join(src, `f${i}`),
        path.join(root, 'dst', `f${i}`),
        defer ? { deferDirectorySync: (d) => void dirs.add(d) } : {},
      );
    }
  }),
);
if (defer) await syncDirectories(dirs);
const s = (performance.now() - t0) / 1000;
const u = process.cpuUsage(u0);
console.log(
  `copyFileAtomic ×${n}, concurrency ${conc}, ${defer ? 'folder fsync deferred' : 'folder fsync per file'}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 4}: ${(n / s).toFixed(0)} files/s, CPU per file ${(u.user / 1000 / n).toFixed(3)} ms user + ${(u.system / 1000 / n).toFixed(3)} ms system`,
);
await fs.rm(root, { recursive: true, force: true });
