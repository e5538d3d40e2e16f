import { readdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errnoCode } from './errors';
import { isTempFileName } from './posix';

/**
 * Removes temporary copies of `dest` left by an interrupted transfer (a crashed or killed
 * worker), so a resumed job leaves no partial file behind. Only this module's temp names
 * (`.<name>.stagecoach-<random>.tmp`) for this very target are touched; returns how many.
 */
export async function removeStaleTemps(dest: string): Promise<number> {
  const dir = dirname(dest);
  const prefix = `.${basename(dest).slice(0, 50)}`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 0;
    throw err;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix) || !isTempFileName(name)) continue;
    await unlink(join(dir, name)).catch(() => undefined);
    removed += 1;
  }
  return removed;
}
