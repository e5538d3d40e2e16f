import { readdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errnoCode } from './errors';
import { isTempFileNameOf } from './posix';

export interface StaleTempOptions {
  /** Only the temps written for this owner (see `CopyOptions.owner`). */
  owner?: string;
}

/**
 * Removes temporary copies of `dest` left by an interrupted transfer (a crashed or killed
 * worker), so a resumed job leaves no partial file behind. Only this module's temp names
 * (`.<name>.stagecoach-…tmp`) for exactly this target are touched; returns how many.
 */
export async function removeStaleTemps(dest: string, options: StaleTempOptions = {}): Promise<number> {
  const dir = dirname(dest);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 0;
    throw err;
  }
  let removed = 0;
  for (const name of names) {
    if (!isTempFileNameOf(name, dest, options.owner)) continue;
    await unlink(join(dir, name)).catch(() => undefined);
    removed += 1;
  }
  return removed;
}
