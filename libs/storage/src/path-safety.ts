import { lstat, mkdir, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { normalizeRelativePath } from '@stagecoach/domain';
import { errnoCode, PathOutsideRootError, quoteForMessage, StorageError } from './errors';

export interface ResolveOptions {
  /** Accept the root itself (`""`, `"."`), e.g. to list the top folder of a site. */
  allowEmpty?: boolean;
}

export interface ResolveForWriteOptions {
  /**
   * Create `root` first (mkdir -p) if it is missing, for a user area that appears on first use.
   * Pass the user area itself as `root` rather than prefixing the username to the user's path:
   * `alice` + `../bob/x` would normalise to `bob/x`, inside the site but in someone else's area.
   */
  createRoot?: boolean;
}

/**
 * Resolves a user-given relative path to the real absolute path of an existing file or folder
 * inside `root`, following symbolic links only as long as they stay inside.
 *
 * Throws PathOutsideRootError for anything that is or might be outside (lexical rule, symlink
 * out, broken or looping symlink, over-long path), and StorageError SOURCE_NOT_FOUND when the
 * path is inside but does not exist. An escape is reported before a missing file, so
 * `link-out/missing` says PATH_OUTSIDE_ROOT.
 *
 * Checking and using are two steps, so this guards against users' input, not against someone
 * who can rename or relink inside the root concurrently (only Stagecoach writes there).
 */
export async function resolveInside(root: string, userPath: string, options: ResolveOptions = {}): Promise<string> {
  const segments = lexicalSegments(userPath, options.allowEmpty === true);
  const realRoot = await realRootOf(root);
  const candidate = join(realRoot, ...segments);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch (err) {
    const code = errnoCode(err);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw resolveFailure(err, userPath);
    await checkExistingPart(realRoot, segments, userPath);
    throw new StorageError('SOURCE_NOT_FOUND', `The path ${quoteForMessage(userPath)} does not exist.`, { cause: err });
  }
  assertInside(realRoot, real, userPath);
  return real;
}

/**
 * Resolves a user-given relative path for creating something there: the final component and
 * any of its parents may be missing, but every parent that exists is resolved through symlinks
 * and must stay inside `root`.
 *
 * The final component is deliberately not followed: if it exists (even as a symlink pointing
 * out, e.g. one made earlier by LOCAL_SYMLINK) the returned path names that entry itself, and
 * callers must only use operations that do not follow it (`link`, `symlink`, `lstat`, open with
 * O_EXCL), which all fail with EEXIST instead of writing through it.
 */
export async function resolveInsideForWrite(
  root: string,
  userPath: string,
  options: ResolveForWriteOptions = {},
): Promise<string> {
  const segments = lexicalSegments(userPath, false);
  // Only after the lexical check, so a rejected path has no side effect.
  if (options.createRoot === true) await mkdir(root, { recursive: true });
  const realRoot = await realRootOf(root);
  const name = segments[segments.length - 1];
  if (name === undefined) throw new PathOutsideRootError(userPath, 'the path is empty');
  const parents = segments.slice(0, -1);
  const { real, missing } = await checkExistingPart(realRoot, parents, userPath);
  return join(real, ...missing, name);
}

function lexicalSegments(userPath: string, allowEmpty: boolean): string[] {
  const normalized = normalizeRelativePath(userPath, { allowEmpty });
  if (!normalized.ok) throw new PathOutsideRootError(userPath, normalized.reason);
  return normalized.path === '' ? [] : normalized.path.split('/');
}

/**
 * Real paths of roots, reused for a moment: a root is resolved on every call (several times per
 * `stage`, bench stage-50c) and practically never moves. Reuse cannot let a path out: every user
 * path is still resolved in full and must land under this real root, so a root that moved in the
 * meantime only makes paths fail (outside / missing), never pass.
 */
const ROOT_TTL_MS = 2000;
/** Module-wide on purpose: every caller resolving under the same root shares the cached realpath (see above). */
const realRoots = new Map<string, { real: string; at: number }>();

/** The real path of a site root or user area (SITE_UNAVAILABLE when it is missing). */
export async function realRootOf(root: string): Promise<string> {
  const now = Date.now();
  const hit = realRoots.get(root);
  if (hit && now - hit.at < ROOT_TTL_MS) return hit.real;
  try {
    const real = await realpath(root);
    realRoots.set(root, { real, at: now });
    return real;
  } catch (err) {
    realRoots.delete(root);
    // A missing root is a deployment problem, not the user's: say so without naming the path.
    throw new StorageError('SITE_UNAVAILABLE', 'The storage root is not available.', { cause: err });
  }
}

/**
 * Finds the deepest existing ancestor of `segments` (the whole path included), checks that its
 * real path is inside the root, and that the first missing component is not a broken symlink:
 * a dangling link could be created through later and point anywhere, so it counts as outside.
 */
async function checkExistingPart(
  realRoot: string,
  segments: readonly string[],
  userPath: string,
): Promise<{ real: string; missing: string[] }> {
  for (let depth = segments.length; depth >= 0; depth--) {
    let real: string;
    try {
      real = await realpath(join(realRoot, ...segments.slice(0, depth)));
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw resolveFailure(err, userPath);
    }
    assertInside(realRoot, real, userPath);
    const missing = segments.slice(depth);
    const next = missing[0];
    if (next !== undefined) {
      const isLink = await lstat(join(real, next)).then(
        (s) => s.isSymbolicLink(),
        () => false,
      );
      if (isLink) throw new PathOutsideRootError(userPath, 'it goes through a broken symbolic link');
    }
    return { real, missing };
  }
  // Unreachable while the root exists; it vanished between two calls.
  throw new StorageError('SITE_UNAVAILABLE', 'The storage root is not available.');
}

function assertInside(realRoot: string, real: string, userPath: string): void {
  const prefix = realRoot.endsWith(sep) ? realRoot : realRoot + sep;
  if (real !== realRoot && !real.startsWith(prefix)) {
    throw new PathOutsideRootError(userPath, 'it leads outside its root through a symbolic link');
  }
}

function resolveFailure(err: unknown, userPath: string): StorageError {
  switch (errnoCode(err)) {
    case 'ELOOP':
      return new PathOutsideRootError(userPath, 'it goes through a loop of symbolic links', { cause: err });
    case 'ENAMETOOLONG':
      return new PathOutsideRootError(userPath, 'it is too long', { cause: err });
    default:
      return new StorageError('SITE_UNAVAILABLE', 'The storage could not resolve the path.', { cause: err });
  }
}
