import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyFileAtomic, isTempFileName } from './posix';
import { removeStaleTemps } from './temps';

let dir: string;
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('removeStaleTemps', () => {
  it('removes only the temp copies of the given target', async () => {
    dir = await mkdtemp(join(tmpdir(), 'temps-'));
    await writeFile(join(dir, '.data.bin.stagecoach-0123456789ab.tmp'), 'partial');
    await writeFile(join(dir, '.other.bin.stagecoach-0123456789ab.tmp'), 'other');
    await writeFile(join(dir, 'data.bin.keep'), 'x');
    expect(await removeStaleTemps(join(dir, 'data.bin'))).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['.other.bin.stagecoach-0123456789ab.tmp', 'data.bin.keep']);
  });

  it('is a no-op when the folder does not exist yet', async () => {
    dir = await mkdtemp(join(tmpdir(), 'temps-'));
    expect(await removeStaleTemps(join(dir, 'missing', 'x'))).toBe(0);
  });

  it('leaves the temps of a target whose name merely starts with the same characters', async () => {
    dir = await mkdtemp(join(tmpdir(), 'temps-'));
    await writeFile(join(dir, '.file1.stagecoach-0123456789ab.tmp'), 'stale');
    await writeFile(join(dir, '.file10.stagecoach-0123456789ab.tmp'), 'in flight');
    await writeFile(join(dir, '.file1.bak.stagecoach-0123456789ab.tmp'), 'in flight');
    expect(await removeStaleTemps(join(dir, 'file1'))).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(['.file1.bak.stagecoach-0123456789ab.tmp', '.file10.stagecoach-0123456789ab.tmp']);
  });

  it('removes the temps of a target with a long name', async () => {
    dir = await mkdtemp(join(tmpdir(), 'temps-'));
    const name = 'x'.repeat(120);
    await writeFile(join(dir, `.${name}.stagecoach-0123456789ab.tmp`), 'stale');
    await writeFile(join(dir, `.${name}y.stagecoach-0123456789ab.tmp`), 'in flight');
    expect(await removeStaleTemps(join(dir, name))).toBe(1);
    expect(await readdir(dir)).toEqual([`.${name}y.stagecoach-0123456789ab.tmp`]);
  });

  it('with an owner, removes that owner\'s temps and leaves another owner\'s copy of the same target', async () => {
    dir = await mkdtemp(join(tmpdir(), 'temps-'));
    const src = join(dir, 'src.bin');
    await writeFile(src, 'bytes');
    // Temps as two writers leave them: copies paused (then abandoned) mid-way.
    const leftover = async (owner: string, known: string[]) => {
      const ac = new AbortController();
      const copy = copyFileAtomic(src, join(dir, 'out', 'data.bin'), { owner, signal: ac.signal, pauseAfterBytes: 1 });
      for (;;) {
        const name = (await readdir(join(dir, 'out')).catch(() => [])).find((n) => !known.includes(n));
        if (name) return { name, stop: () => (ac.abort(), copy.catch(() => undefined)) };
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const mine = await leftover('file-a', []);
    const theirs = await leftover('file-b', [mine.name]);
    expect(isTempFileName(mine.name) && isTempFileName(theirs.name)).toBe(true);
    expect(await removeStaleTemps(join(dir, 'out', 'data.bin'), { owner: 'file-a' })).toBe(1);
    expect(await readdir(join(dir, 'out'))).toEqual([theirs.name]);
    await Promise.all([mine.stop(), theirs.stop()]);
  });
});
