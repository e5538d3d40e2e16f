/** Input data and reference tools (cp, cp -r, cat, curl), timed the same way as our runs. */
import { execFile, spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** A file of `bytes` random bytes (random: no file system may shortcut zeros), written in 4 MiB chunks. */
export async function makeRandomFile(file: string, bytes: number): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const fh = await fs.open(file, 'wx', 0o644);
  try {
    const chunk = Buffer.allocUnsafe(Math.min(4 * MiB, Math.max(bytes, 1)));
    for (let left = bytes; left > 0;) {
      const n = Math.min(left, chunk.length);
      randomFillSync(chunk, 0, n);
      await fh.write(chunk, 0, n);
      left -= n;
    }
  } finally {
    await fh.close();
  }
}

/** `count` files of `bytes` random bytes in sub-folders of 1,000, named so that they sort in creation order. */
export async function makeSmallFiles(dir: string, count: number, bytes: number): Promise<void> {
  const buf = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < count; i += 1000) {
    const sub = path.join(dir, `d${String(i / 1000).padStart(3, '0')}`);
    await fs.mkdir(sub, { recursive: true });
    const batch: Promise<void>[] = [];
    for (let j = i; j < Math.min(count, i + 1000); j++) {
      randomFillSync(buf);
      batch.push(fs.writeFile(path.join(sub, `f${String(j).padStart(6, '0')}.bin`), Buffer.from(buf), { flag: 'wx' }));
      if (batch.length >= 64) await Promise.all(batch.splice(0));
    }
    await Promise.all(batch);
  }
}

/** Runs a command, throwing with its stderr on failure. */
export async function sh(cmd: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(cmd, args, { maxBuffer: 16 * MiB });
  return stdout;
}

/** Seconds taken by a command (spawned directly, no shell). */
export async function timeCommand(cmd: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${err}`)),
    );
  });
  return (performance.now() - t0) / 1000;
}

/** Reads a file into nothing, so a later read comes from the page cache (both tools then read "hot"). */
export async function warmRead(...files: string[]): Promise<void> {
  const buf = Buffer.allocUnsafe(4 * MiB);
  for (const f of files) {
    const fh = await fs.open(f, 'r');
    try {
      while ((await fh.read(buf, 0, buf.length, null)).bytesRead > 0);
    } finally {
      await fh.close();
    }
  }
}

/**
 * Puts the machine in the same regime before every timed run, ours or the reference's: writes
 * of earlier runs are flushed (so their writeback does not land in this run) and memory freed
 * by them has gone back to the host (~2 s on this VM), so every run writes into "cold" memory.
 */
export async function settle(ms = 3000): Promise<void> {
  await sh('sync', []);
  await new Promise((r) => setTimeout(r, ms));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
