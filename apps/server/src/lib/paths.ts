import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * apps/server, found by walking up to its package.json: the same answer from a source file under
 * src/ (tsx, vitest) and from the bundle in dist/, whose modules sit at a different depth.
 */
function findServerRoot(): string {
  let dir = import.meta.dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === '@stagecoach/server') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot locate apps/server (package.json of @stagecoach/server)');
    dir = parent;
  }
}

export const SERVER_ROOT = findServerRoot();
export const REPO_ROOT = path.resolve(SERVER_ROOT, '..', '..');
export const WEB_DIST = path.join(REPO_ROOT, 'apps', 'web', 'dist');
export const FIXTURES_DIR = path.join(REPO_ROOT, 'fixtures');
