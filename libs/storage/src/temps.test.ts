import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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
});
