import { mkdir, mkdtemp, readdir, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathOutsideRootError, StorageError } from './errors';
import { resolveInside, resolveInsideForWrite } from './path-safety';

/*
 * <base>/
 *   outside/secret.txt, outside/dir/
 *   root-alias -> root              (the configured root may itself be a symlink)
 *   root/
 *     a/b/c.txt  file.txt
 *     in-link -> a                  in-file-link -> a/b/c.txt      deep-link -> a/b
 *     chain-in1 -> chain-in2 -> a
 *     out-link -> ../outside        out-abs-link -> <base>/outside
 *     chain1 -> chain2 -> ../outside
 *     out-file-link -> ../outside/secret.txt
 *     dangling -> ../outside/missing        dangling-in -> a/missing
 *     loop1 -> loop2 -> loop1
 *     prefix-link -> ../rootx        (a sibling whose name starts with the root's name)
 *   rootx/secret.txt
 */
let base: string;
let root: string;
let realRoot: string;
let outside: string;

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'stagecoach-paths-')));
  root = join(base, 'root');
  outside = join(base, 'outside');
  await mkdir(join(outside, 'dir'), { recursive: true });
  await writeFile(join(outside, 'secret.txt'), 'secret');
  await mkdir(join(base, 'rootx'));
  await writeFile(join(base, 'rootx', 'secret.txt'), 'secret');
  await mkdir(join(root, 'a', 'b'), { recursive: true });
  await writeFile(join(root, 'a', 'b', 'c.txt'), 'c');
  await writeFile(join(root, 'file.txt'), 'f');
  const links: [string, string][] = [
    ['in-link', 'a'],
    ['in-file-link', 'a/b/c.txt'],
    ['deep-link', 'a/b'],
    ['chain-in1', 'chain-in2'],
    ['chain-in2', 'a'],
    ['out-link', '../outside'],
    ['out-abs-link', outside],
    ['chain1', 'chain2'],
    ['chain2', '../outside'],
    ['out-file-link', '../outside/secret.txt'],
    ['dangling', '../outside/missing'],
    ['dangling-in', 'a/missing'],
    ['loop1', 'loop2'],
    ['loop2', 'loop1'],
    ['prefix-link', '../rootx'],
  ];
  for (const [name, to] of links) await symlink(to, join(root, name));
  await symlink('root', join(base, 'root-alias'));
  realRoot = root;
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function errorOf(p: Promise<unknown>): Promise<StorageError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StorageError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

function isInside(p: string): boolean {
  return p === realRoot || p.startsWith(realRoot + sep);
}

describe('resolveInside', () => {
  it.each([
    ['a/b/c.txt', 'a/b/c.txt'],
    ['a/./b', 'a/b'],
    ['a//b/', 'a/b'],
    ['a/b/../b/c.txt', 'a/b/c.txt'],
    ['in-link/b/c.txt', 'a/b/c.txt'],
    ['in-file-link', 'a/b/c.txt'],
    ['chain-in1/b', 'a/b'],
  ])('resolves %j to the real path of %j', async (input, real) => {
    await expect(resolveInside(root, input)).resolves.toBe(join(realRoot, real));
  });

  it('resolves through a root that is itself a symlink', async () => {
    await expect(resolveInside(join(base, 'root-alias'), 'a/b')).resolves.toBe(join(realRoot, 'a/b'));
  });

  it('returns the root for an empty path only when allowed', async () => {
    await expect(resolveInside(root, '', { allowEmpty: true })).resolves.toBe(realRoot);
    expect((await errorOf(resolveInside(root, ''))).code).toBe('PATH_OUTSIDE_ROOT');
  });

  it.each([
    '../x',
    '/etc/passwd',
    'a/../../x',
    '..',
    '../root/a',
    'a\0b',
    'a\\..\\..',
    'out-link',
    'out-link/secret.txt',
    'out-abs-link/dir',
    'chain1/secret.txt',
    'out-file-link',
    'in-link/../out-link/secret.txt',
    'dangling',
    'dangling/x',
    'loop1',
    'loop1/x',
    'prefix-link',
    'prefix-link/secret.txt',
    `${'x'.repeat(256)}`,
  ])('rejects %j with PATH_OUTSIDE_ROOT', async (input) => {
    const err = await errorOf(resolveInside(root, input));
    expect(err).toBeInstanceOf(PathOutsideRootError);
    expect(err.code).toBe('PATH_OUTSIDE_ROOT');
  });

  it('reports an escape before a missing file', async () => {
    expect((await errorOf(resolveInside(root, 'out-link/missing/x'))).code).toBe('PATH_OUTSIDE_ROOT');
  });

  it.each(['missing', 'a/missing/x', 'file.txt/x'])('reports %j as SOURCE_NOT_FOUND', async (input) => {
    const err = await errorOf(resolveInside(root, input));
    expect(err.code).toBe('SOURCE_NOT_FOUND');
    expect(err.message).toContain(input);
  });

  it('never names the absolute root in its messages', async () => {
    for (const input of ['../x', 'out-link', 'missing', 'loop1', 'dangling']) {
      const err = await errorOf(resolveInside(root, input));
      expect(err.message).not.toContain(base);
    }
  });

  it('reports a missing root as SITE_UNAVAILABLE without naming it', async () => {
    const err = await errorOf(resolveInside(join(base, 'no-such-root'), 'a'));
    expect(err.code).toBe('SITE_UNAVAILABLE');
    expect(err.message).not.toContain(base);
  });
});

describe('resolveInsideForWrite', () => {
  it.each([
    ['new.txt', 'new.txt'],
    ['a/b/new.txt', 'a/b/new.txt'],
    ['x/y/z/new.txt', 'x/y/z/new.txt'],
    ['in-link/new/deeper.txt', 'a/new/deeper.txt'],
    ['deep-link/new.txt', 'a/b/new.txt'],
    ['a/b/c.txt', 'a/b/c.txt'],
  ])('resolves %j to %j', async (input, expected) => {
    await expect(resolveInsideForWrite(root, input)).resolves.toBe(join(realRoot, expected));
  });

  it('creates a missing user area when asked, and only for an acceptable path', async () => {
    const area = join(root, 'areas', 'alice');
    expect(await errorOf(resolveInsideForWrite(area, '../bob/x', { createRoot: true }))).toBeInstanceOf(PathOutsideRootError);
    await expect(stat(area)).rejects.toThrow();
    expect((await errorOf(resolveInsideForWrite(area, 'x'))).code).toBe('SITE_UNAVAILABLE');
    await expect(resolveInsideForWrite(area, 'run1/x.fits', { createRoot: true })).resolves.toBe(
      join(realRoot, 'areas', 'alice', 'run1', 'x.fits'),
    );
    expect((await stat(area)).isDirectory()).toBe(true);
  });

  it('names an existing final symlink itself instead of following it', async () => {
    // A LOCAL_SYMLINK target points outside by design; staging it again must find it, not escape.
    await expect(resolveInsideForWrite(root, 'out-link')).resolves.toBe(join(realRoot, 'out-link'));
  });

  it.each([
    '../x',
    '/tmp/x',
    'a/../../x',
    'out-link/new.txt',
    'out-abs-link/dir/new.txt',
    'chain1/x/y/new.txt',
    'dangling/new.txt',
    'loop1/new.txt',
    'prefix-link/new.txt',
    '.',
    '',
  ])('rejects %j with PATH_OUTSIDE_ROOT', async (input) => {
    expect(await errorOf(resolveInsideForWrite(root, input))).toBeInstanceOf(PathOutsideRootError);
  });
});

/** Everything below `dir`, to prove that nothing outside the root was touched. */
async function snapshot(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.sort();
}

describe('path safety under hostile input', () => {
  const names = [
    'a',
    'b',
    'c.txt',
    'file.txt',
    'missing',
    'in-link',
    'in-file-link',
    'deep-link',
    'chain-in1',
    'out-link',
    'out-abs-link',
    'chain1',
    'out-file-link',
    'dangling',
    'dangling-in',
    'loop1',
    'prefix-link',
  ];
  const existing = ['a/b', 'a/b/c.txt', 'in-link/b', 'deep-link/c.txt', 'chain-in1/b/c.txt', 'a/../in-file-link'];
  const segment = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...names) },
    { weight: 4, arbitrary: fc.constantFrom(...existing) },
    { weight: 4, arbitrary: fc.constantFrom('..', '.', '', '...', '..\\..', '\\', '\0', 'x\0y', '\n', '\u202e', '\ud800') },
    { weight: 2, arbitrary: fc.constantFrom('é', '日本語', '🚀', 'ü\u0308', '\uFEFF') },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 250, maxLength: 300 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 60, maxLength: 90 }) },
  );
  const wild = fc
    .tuple(
      fc.constantFrom('', '', '', '/', '//', './', '../', 'ROOT/', 'OUTSIDE/'),
      fc.array(segment, { maxLength: 8 }),
      fc.constantFrom('', '', '/', '/.', '/..'),
    )
    .map(([prefix, segments, suffix]) => {
      const p = prefix.replace('ROOT', realRoot).replace('OUTSIDE', outside);
      return p + segments.join('/') + suffix;
    });
  // Mostly real names with '.' and '..': paths that often resolve, so acceptance is exercised too.
  const plausible = fc
    .array(fc.oneof(fc.constantFrom(...names, ...existing), fc.constantFrom('.', '..', 'new')), {
      minLength: 1,
      maxLength: 5,
    })
    .map((segments) => segments.join('/'));
  const hostilePath = fc.oneof(wild, plausible);

  it('only ever resolves reads to real paths inside the real root', async () => {
    let resolvedCount = 0;
    await fc.assert(
      fc.asyncProperty(hostilePath, fc.boolean(), async (input, allowEmpty) => {
        let resolved: string;
        try {
          resolved = await resolveInside(join(base, 'root-alias'), input, { allowEmpty });
        } catch (err) {
          expect(err).toBeInstanceOf(StorageError);
          const { code, message } = err as StorageError;
          expect(['PATH_OUTSIDE_ROOT', 'SOURCE_NOT_FOUND']).toContain(code);
          // Echoing the user's own input is fine; revealing the root they did not type is not.
          if (!input.includes(base)) expect(message).not.toContain(base);
          return;
        }
        expect(isInside(resolved)).toBe(true);
        expect(await realpath(resolved)).toBe(resolved);
        resolvedCount++;
      }),
      { numRuns: 3000 },
    );
    expect(resolvedCount).toBeGreaterThan(150); // the property must have accepted real paths
  });

  it('only ever resolves writes to places inside the root, as the kernel sees them', async () => {
    const before = await snapshot(outside);
    let written = 0;
    await fc.assert(
      fc.asyncProperty(hostilePath, async (input) => {
        let resolved: string;
        try {
          resolved = await resolveInsideForWrite(root, input);
        } catch (err) {
          expect(err).toBeInstanceOf(StorageError);
          expect((err as StorageError).code).toBe('PATH_OUTSIDE_ROOT');
          if (!input.includes(base)) expect((err as StorageError).message).not.toContain(base);
          return;
        }
        expect(isInside(resolved)).toBe(true);
        // Ground truth: actually create it the way writers do (never following the last name)
        // and ask the kernel where it landed.
        try {
          await mkdir(dirname(resolved), { recursive: true });
          await writeFile(resolved, '', { flag: 'wx' });
          written++;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          // Already there, or a file where a folder would be: refused, nothing written.
          expect(['EEXIST', 'ENOTDIR']).toContain(code);
          return;
        }
        expect(isInside(await realpath(resolved))).toBe(true);
      }),
      { numRuns: 3000 },
    );
    expect(await snapshot(outside)).toEqual(before);
    expect(written).toBeGreaterThan(150); // the property must have exercised real writes
  });

  it('accepts every plain relative path (no over-eager rejection)', async () => {
    const plain = fc.array(fc.constantFrom('a', 'b', 'new', 'é', '日本語', '.', 'in-link', 'x y'), {
      minLength: 1,
      maxLength: 6,
    });
    await fc.assert(
      fc.asyncProperty(plain, fc.constantFrom('n1.fits', 'ñ.txt'), async (dirs, name) => {
        const resolved = await resolveInsideForWrite(root, [...dirs, name].join('/'));
        expect(isInside(resolved)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects every path that goes through a link leading out', async () => {
    const rest = fc.array(fc.constantFrom('a', 'dir', 'secret.txt', 'missing', '.', 'in-link'), { maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('out-link', 'out-abs-link', 'chain1', 'prefix-link', 'in-link/../out-link', 'a/b/../../chain1'),
        rest,
        fc.constantFrom('secret.txt', 'dir', 'new.txt'),
        async (link, middle, last) => {
          const input = [link, ...middle, last].join('/');
          expect(await errorOf(resolveInside(root, input))).toBeInstanceOf(PathOutsideRootError);
          expect(await errorOf(resolveInsideForWrite(root, input))).toBeInstanceOf(PathOutsideRootError);
        },
      ),
      { numRuns: 500 },
    );
  });
});
