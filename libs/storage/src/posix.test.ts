import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import {
  chmod,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  realpath,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from './errors';
import {
  compareExisting,
  copyFileAtomic,
  createHardlink,
  createSymlink,
  freeBytes,
  isTempFileName,
  listDirectory,
  listDirectoryPage,
  sha256File,
  walkCounters,
  WalkBudget,
  walkFiles,
  writeFileAtomic,
  type WalkedFile,
} from './posix';

const sha = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
const BIG_BYTES = 200 * 1024 * 1024;

let base: string;
let dir: string; // a fresh, empty folder per test
let big: string;
let bigSha: string;
let counter = 0;

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'stagecoach-posix-')));
  big = join(base, 'big.bin');
  bigSha = (await writeFileAtomic(big, { randomBytes: BIG_BYTES }, { durable: false })).sha256;
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

beforeEach(async () => {
  // A new folder per test, never reused: ext4 without a journal is slow to create files where
  // many were just deleted (it skips recently freed inodes).
  dir = join(base, `t${++counter}`);
  await mkdir(dir);
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

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const p = join(dir, name);
  await mkdir(join(p, '..'), { recursive: true });
  await writeFile(p, content);
  return p;
}

describe('sha256File', () => {
  it('hashes known vectors', async () => {
    expect(await sha256File(await file('empty', ''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await sha256File(await file('abc', 'abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes files spanning several chunks, including a partial last one', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 12345);
    expect(await sha256File(await file('multi', data))).toBe(sha(data));
  });

  it('reports a missing file as SOURCE_NOT_FOUND', async () => {
    expect((await errorOf(sha256File(join(dir, 'nope')))).code).toBe('SOURCE_NOT_FOUND');
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await errorOf(sha256File(big, ac.signal))).code).toBe('CANCELLED');
  });
});

describe('copyFileAtomic', () => {
  it('makes a byte-identical, read-only copy and creates missing folders', async () => {
    const data = randomBytes(1024 * 1024 + 7);
    const src = await file('src.bin', data);
    const dest = join(dir, 'out', 'deep', 'copy.bin');
    const result = await copyFileAtomic(src, dest);
    expect(result).toEqual({ sizeBytes: data.length, sha256: sha(data) });
    expect(Buffer.compare(await readFile(dest), data)).toBe(0);
    expect((await stat(dest)).mode & 0o777).toBe(0o444);
    expect(await readdir(join(dir, 'out', 'deep'))).toEqual(['copy.bin']);
  });

  it('copies an empty file', async () => {
    const src = await file('empty', '');
    expect(await copyFileAtomic(src, join(dir, 'e2'))).toEqual({ sizeBytes: 0, sha256: sha('') });
  });

  it('copies a large file and reports progress up to its size', async () => {
    const seen: number[] = [];
    const dest = join(dir, 'big-copy');
    const result = await copyFileAtomic(big, dest, { onProgress: (n) => seen.push(n), durable: false });
    expect(result).toEqual({ sizeBytes: BIG_BYTES, sha256: bigSha });
    expect(seen.at(-1)).toBe(BIG_BYTES);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(await sha256File(dest)).toBe(bigSha);
  });

  it('keeps a name of 255 bytes (the temp name is shortened, not the target)', async () => {
    const src = await file('s', 'x');
    const name = 'é'.repeat(127) + 'x';
    await copyFileAtomic(src, join(dir, name));
    expect(await readdir(dir)).toEqual(expect.arrayContaining([name]));
  });

  it('refuses to overwrite an existing target and leaves it untouched', async () => {
    const src = await file('src', 'new');
    const dest = await file('dest', 'old');
    expect((await errorOf(copyFileAtomic(src, dest))).code).toBe('TARGET_EXISTS');
    expect(await readFile(dest, 'utf8')).toBe('old');
    expect((await readdir(dir)).sort()).toEqual(['dest', 'src']);
  });

  it('refuses an existing target before spending a copy on it', async () => {
    const dest = await file('dest', 'old');
    let progressCalls = 0;
    const err = await errorOf(copyFileAtomic(big, dest, { onProgress: () => progressCalls++ }));
    expect(err.code).toBe('TARGET_EXISTS');
    expect(progressCalls).toBe(0);
  });

  it('fails when the source changes during the copy', async () => {
    const src = await file('growing', randomBytes(8 * 1024 * 1024));
    let appended = false;
    const err = await errorOf(
      copyFileAtomic(src, join(dir, 'dest'), {
        onProgress: () => {
          if (!appended) appendFileSync(src, 'more');
          appended = true;
        },
      }),
    );
    expect(err.code).toBe('TRANSFER_FAILED');
    expect(err.message).toMatch(/changed/);
    expect((await readdir(dir)).sort()).toEqual(['growing']);
  });

  it('does not write through a symlink at the target', async () => {
    const victim = await file('victim', 'keep');
    const src = await file('src', 'evil');
    await symlink(victim, join(dir, 'dest'));
    expect((await errorOf(copyFileAtomic(src, join(dir, 'dest')))).code).toBe('TARGET_EXISTS');
    expect(await readFile(victim, 'utf8')).toBe('keep');
  });

  it('lets exactly one of two racing copies to the same target win', async () => {
    const a = await file('a', 'A'.repeat(1 << 20));
    const b = await file('b', 'B'.repeat(1 << 20));
    const dest = join(dir, 'dest');
    const results = await Promise.allSettled([copyFileAtomic(a, dest), copyFileAtomic(b, dest)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((r) => (r.reason as StorageError).code)).toEqual(['TARGET_EXISTS']);
    const winner = results[0]?.status === 'fulfilled' ? 'A' : 'B';
    expect((await readFile(dest, 'utf8'))[0]).toBe(winner);
    expect((await readdir(dir)).sort()).toEqual(['a', 'b', 'dest']);
  });

  it('leaves no temp file and no target when aborted mid-copy', async () => {
    const ac = new AbortController();
    const dest = join(dir, 'out', 'big-copy');
    let progressAtAbort = 0;
    const err = await errorOf(
      copyFileAtomic(big, dest, {
        signal: ac.signal,
        onProgress: (n) => {
          if (n >= 32 * 1024 * 1024 && !ac.signal.aborted) {
            progressAtAbort = n;
            ac.abort();
          }
        },
      }),
    );
    expect(err.code).toBe('CANCELLED');
    expect(progressAtAbort).toBeLessThan(BIG_BYTES); // the abort really came mid-transfer
    expect(await readdir(join(dir, 'out'))).toEqual([]);
  });

  it('with pauseAfterBytes, holds the copy until it is cancelled, then leaves nothing', async () => {
    const ac = new AbortController();
    const dest = join(dir, 'held');
    const seen: number[] = [];
    const copy = copyFileAtomic(big, dest, {
      signal: ac.signal,
      durable: false,
      pauseAfterBytes: 1 << 20,
      onProgress: (n) => seen.push(n),
    });
    // The kernel copy is not paced: wait until its temporary file is complete, so only the pause keeps the copy from finishing.
    for (;;) {
      const names = await readdir(dir);
      const full =
        names.length === 1 &&
        isTempFileName(names[0]!) &&
        (await stat(join(dir, names[0]!)).catch(() => undefined))?.size === BIG_BYTES;
      if (full && seen.length > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(seen).toEqual([1 << 20]);
    ac.abort();
    expect((await errorOf(copy)).code).toBe('CANCELLED');
    expect(await readdir(dir)).toEqual([]);
  });

  it('creates nothing when aborted before it starts', async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await errorOf(copyFileAtomic(big, join(dir, 'x'), { signal: ac.signal }))).code).toBe('CANCELLED');
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails with CHECKSUM_MISMATCH when the source is not what was expected', async () => {
    const src = await file('src', 'data');
    const err = await errorOf(copyFileAtomic(src, join(dir, 'dest'), { expectedSha256: sha('other') }));
    expect(err.code).toBe('CHECKSUM_MISMATCH');
    expect(await readdir(dir)).toEqual(['src']);
  });

  it('accepts the expected checksum in any letter case', async () => {
    const src = await file('src', 'data');
    const result = await copyFileAtomic(src, join(dir, 'dest'), { expectedSha256: sha('data').toUpperCase() });
    expect(result.sha256).toBe(sha('data'));
  });

  it('can re-read the copy to verify it', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 1);
    const src = await file('src', data);
    expect(await copyFileAtomic(src, join(dir, 'dest'), { verify: 'sha256' })).toEqual({
      sizeBytes: data.length,
      sha256: sha(data),
    });
  });

  it('reports a missing source as SOURCE_NOT_FOUND', async () => {
    expect((await errorOf(copyFileAtomic(join(dir, 'nope'), join(dir, 'dest')))).code).toBe('SOURCE_NOT_FOUND');
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses sources that are not regular files', async () => {
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect((await errorOf(copyFileAtomic(join(dir, 'fifo'), join(dir, 'a')))).code).toBe('TRANSFER_FAILED');
    expect((await errorOf(copyFileAtomic(dir, join(dir, 'b')))).code).toBe('TRANSFER_FAILED');
  });

  it('reports a file in the way of the target folder as TARGET_EXISTS', async () => {
    const src = await file('src', 'x');
    await file('blocker', 'x');
    expect((await errorOf(copyFileAtomic(src, join(dir, 'blocker', 'dest')))).code).toBe('TARGET_EXISTS');
  });
});

describe('compareExisting', () => {
  it('says absent when nothing is there', async () => {
    const src = await file('src', 'x');
    expect(await compareExisting(src, join(dir, 'none'))).toBe('absent');
    expect(await compareExisting(src, join(dir, 'none', 'deeper'))).toBe('absent');
  });

  it('tells identical from different copies', async () => {
    const src = await file('src', 'same content');
    expect(await compareExisting(src, await file('same', 'same content'))).toBe('identical');
    expect(await compareExisting(src, await file('shorter', 'same'))).toBe('different');
    expect(await compareExisting(src, await file('samesize', 'SAME CONTENT'))).toBe('different');
  });

  it('uses a known source checksum instead of hashing the source', async () => {
    const src = await file('src', 'content');
    const dest = await file('dest', 'content');
    expect(await compareExisting(src, dest, { srcSha256: sha('content') })).toBe('identical');
    expect(await compareExisting(src, dest, { srcSha256: sha('CONTENT') })).toBe('different');
  });

  it('does not follow a symlink when a copy is expected', async () => {
    const src = await file('src', 'content');
    await symlink(src, join(dir, 'link'));
    expect(await compareExisting(src, join(dir, 'link'))).toBe('different');
    await mkdir(join(dir, 'folder'));
    expect(await compareExisting(src, join(dir, 'folder'))).toBe('different');
  });

  it('compares a symlink by its destination', async () => {
    const src = await file('src', 'content');
    const other = await file('other', 'content');
    await symlink(src, join(dir, 'to-src'));
    await symlink(other, join(dir, 'to-other'));
    await symlink('src', join(dir, 'relative-to-src'));
    expect(await compareExisting(src, join(dir, 'to-src'), { kind: 'symlink' })).toBe('identical');
    expect(await compareExisting(src, join(dir, 'relative-to-src'), { kind: 'symlink' })).toBe('identical');
    expect(await compareExisting(src, join(dir, 'to-other'), { kind: 'symlink' })).toBe('different');
    expect(await compareExisting(src, other, { kind: 'symlink' })).toBe('different');
    expect(await compareExisting(src, join(dir, 'nope'), { kind: 'symlink' })).toBe('absent');
  });

  it('compares a hard link by inode, not content', async () => {
    const src = await file('src', 'content');
    await link(src, join(dir, 'linked'));
    const copy = await file('copy', 'content');
    expect(await compareExisting(src, join(dir, 'linked'), { kind: 'hardlink' })).toBe('identical');
    expect(await compareExisting(src, copy, { kind: 'hardlink' })).toBe('different');
  });
});

describe('createSymlink', () => {
  it('creates a link to the absolute source, with its folders', async () => {
    const src = await file('src', 'x');
    const dest = join(dir, 'a', 'b', 'link');
    await createSymlink(src, dest);
    expect(await readlink(dest)).toBe(src);
    expect(await readFile(dest, 'utf8')).toBe('x');
  });

  it('refuses to replace an existing entry', async () => {
    const src = await file('src', 'x');
    const dest = await file('dest', 'old');
    expect((await errorOf(createSymlink(src, dest))).code).toBe('TARGET_EXISTS');
    expect((await lstat(dest)).isFile()).toBe(true);
    await symlink('/nowhere', join(dir, 'dangling'));
    expect((await errorOf(createSymlink(src, join(dir, 'dangling')))).code).toBe('TARGET_EXISTS');
    expect(await readlink(join(dir, 'dangling'))).toBe('/nowhere');
  });

  it('insists on an absolute source', async () => {
    await expect(createSymlink('relative/src', join(dir, 'l'))).rejects.toThrow(TypeError);
  });
});

describe('createHardlink', () => {
  it('links the same inode and leaves the source mode alone', async () => {
    const src = await file('src', 'x');
    await chmod(src, 0o640);
    const dest = join(dir, 'a', 'link');
    await createHardlink(src, dest);
    const [s, d] = await Promise.all([stat(src), stat(dest)]);
    expect(d.ino).toBe(s.ino);
    expect(s.mode & 0o777).toBe(0o640);
  });

  it('refuses to replace an existing entry', async () => {
    const src = await file('src', 'x');
    const dest = await file('dest', 'old');
    expect((await errorOf(createHardlink(src, dest))).code).toBe('TARGET_EXISTS');
    expect(await readFile(dest, 'utf8')).toBe('old');
  });

  it('explains that hard links cannot cross file systems', async () => {
    const shm = await mkdtemp('/dev/shm/stagecoach-');
    try {
      expect((await stat(shm)).dev).not.toBe((await stat(dir)).dev); // precondition of the test
      await writeFile(join(shm, 'src'), 'x');
      const err = await errorOf(createHardlink(join(shm, 'src'), join(dir, 'link')));
      expect(err.code).toBe('TRANSFER_FAILED');
      expect(err.message).toBe('source and target are on different file systems; hard links are impossible, use LOCAL_COPY');
    } finally {
      await rm(shm, { recursive: true, force: true });
    }
  });

  it('reports a missing source as SOURCE_NOT_FOUND', async () => {
    expect((await errorOf(createHardlink(join(dir, 'nope'), join(dir, 'l')))).code).toBe('SOURCE_NOT_FOUND');
  });
});

describe('listDirectory', () => {
  it('lists folders first, then by name, with file sizes, without following symlinks', async () => {
    await file('b.txt', '12345');
    await file('A.txt', '1');
    await mkdir(join(dir, 'zdir'));
    await mkdir(join(dir, 'adir'));
    await symlink(join(dir, 'adir'), join(dir, 'link-to-dir'));
    await symlink('/nowhere/at/all', join(dir, 'broken'));
    await symlink('/etc/passwd', join(dir, 'out'));
    expect(await listDirectory(dir)).toEqual([
      { name: 'adir', kind: 'directory', isDirectory: true, sizeBytes: null },
      { name: 'zdir', kind: 'directory', isDirectory: true, sizeBytes: null },
      { name: 'A.txt', kind: 'file', isDirectory: false, sizeBytes: 1 },
      { name: 'b.txt', kind: 'file', isDirectory: false, sizeBytes: 5 },
      { name: 'broken', kind: 'symlink', isDirectory: false, sizeBytes: null },
      { name: 'link-to-dir', kind: 'symlink', isDirectory: false, sizeBytes: null },
      { name: 'out', kind: 'symlink', isDirectory: false, sizeBytes: null },
    ]);
  });

  it('reports a missing folder or a file as SOURCE_NOT_FOUND', async () => {
    expect((await errorOf(listDirectory(join(dir, 'nope')))).code).toBe('SOURCE_NOT_FOUND');
    expect((await errorOf(listDirectory(await file('f', 'x')))).code).toBe('SOURCE_NOT_FOUND');
  });
});

describe('listDirectoryPage', () => {
  it('pages through a folder in listing order, each page starting after the last entry of the one before', async () => {
    await mkdir(join(dir, 'big'));
    for (let i = 0; i < 1000; i++) await writeFile(join(dir, 'big', `f${String(i).padStart(4, '0')}`), 'x'.repeat(i % 7));
    for (let i = 0; i < 5; i++) await mkdir(join(dir, 'big', `z-dir${i}`));
    await symlink('/nowhere', join(dir, 'big', 'link'));
    const all = await listDirectory(join(dir, 'big'));
    const paged = [];
    let after = null;
    for (let pages = 0; ; pages++) {
      expect(pages).toBeLessThan(10);
      const page = await listDirectoryPage(join(dir, 'big'), { first: 300, after });
      expect(page.entries.length).toBeLessThanOrEqual(300);
      paged.push(...page.entries);
      if (!page.hasMore) break;
      const last = page.entries.at(-1)!;
      after = { isDirectory: last.isDirectory, name: last.name };
    }
    expect(paged).toEqual(all);
    expect(paged.slice(0, 5).every((e) => e.isDirectory)).toBe(true);
  });

  it('says when the page is the last one and reports a missing folder as SOURCE_NOT_FOUND', async () => {
    await file('small/a', 'a');
    await file('small/b', 'bb');
    expect(await listDirectoryPage(join(dir, 'small'), { first: 2 })).toEqual({
      entries: [
        { name: 'a', kind: 'file', isDirectory: false, sizeBytes: 1 },
        { name: 'b', kind: 'file', isDirectory: false, sizeBytes: 2 },
      ],
      hasMore: false,
    });
    expect(await listDirectoryPage(join(dir, 'small'), { first: 1 })).toMatchObject({ hasMore: true });
    expect((await errorOf(listDirectoryPage(join(dir, 'nope'), { first: 5 }))).code).toBe('SOURCE_NOT_FOUND');
  });
});

describe('walkFiles', () => {
  async function collect(root: string, skipped: string[] = [], budget?: WalkBudget): Promise<WalkedFile[]> {
    const out: WalkedFile[] = [];
    for await (const f of walkFiles(root, { onSkip: (p, kind) => skipped.push(`${kind}:${p}`), budget })) out.push(f);
    return out;
  }

  it('yields every regular file below the folder, depth first in name order', async () => {
    await file('tree/b.txt', 'bb');
    await file('tree/a/z.txt', 'z');
    await file('tree/a/deeper/y.txt', 'yyy');
    await file('tree/c/x.txt', '');
    await mkdir(join(dir, 'tree', 'empty'));
    expect(await collect(join(dir, 'tree'))).toEqual([
      { path: 'a/deeper/y.txt', sizeBytes: 3 },
      { path: 'a/z.txt', sizeBytes: 1 },
      { path: 'b.txt', sizeBytes: 2 },
      { path: 'c/x.txt', sizeBytes: 0 },
    ]);
  });

  it('skips symlinks and special files, and says so', async () => {
    await file('tree/real.txt', 'r');
    await file('outside/secret.txt', 's');
    await symlink(join(dir, 'outside'), join(dir, 'tree', 'dir-link'));
    await symlink(join(dir, 'outside', 'secret.txt'), join(dir, 'tree', 'file-link'));
    await symlink('.', join(dir, 'tree', 'loop'));
    execFileSync('mkfifo', [join(dir, 'tree', 'fifo')]);
    const skipped: string[] = [];
    expect(await collect(join(dir, 'tree'), skipped)).toEqual([{ path: 'real.txt', sizeBytes: 1 }]);
    expect(skipped.sort()).toEqual(['other:fifo', 'symlink:dir-link', 'symlink:file-link', 'symlink:loop']);
  });

  it('stops after the budget of entries, one budget shared by several walks', async () => {
    await mkdir(join(dir, 'many'));
    for (let i = 0; i < 1000; i++) await writeFile(join(dir, 'many', `f${i}`), '');
    await file('two/x', 'x');
    await file('two/y', 'y');
    const budget = new WalkBudget(6);
    const before = walkCounters.entriesRead;
    expect(await collect(join(dir, 'two'), [], budget)).toHaveLength(2);
    expect(budget.exceeded).toBeNull();
    await collect(join(dir, 'many'), [], budget);
    expect(budget.exceeded).toBe('files');
    expect(budget.entriesRead).toBe(6);
    expect(walkCounters.entriesRead - before).toBeLessThanOrEqual(6);
  });

  it('limits folders and links apart from files', async () => {
    for (let i = 0; i < 50; i++) await mkdir(join(dir, 'dirs', `d${i}`), { recursive: true });
    for (let i = 0; i < 50; i++) await symlink('/nowhere', join(dir, 'dirs', `l${i}`));
    const budget = new WalkBudget(6);
    expect(await collect(join(dir, 'dirs'), [], budget)).toEqual([]);
    expect(budget.exceeded).toBe('others');
    expect(budget.entriesRead).toBe(6);
    // Up to the limit of each kind, nothing is refused: 3 folders holding 6 files in all.
    for (let i = 0; i < 6; i++) await file(`mixed/d${i % 3}/f${i}`, 'x');
    const enough = new WalkBudget(6);
    expect(await collect(join(dir, 'mixed'), [], enough)).toHaveLength(6);
    expect(enough.exceeded).toBeNull();
  });

  it('reports a missing folder as SOURCE_NOT_FOUND', async () => {
    expect((await errorOf(collect(join(dir, 'nope')))).code).toBe('SOURCE_NOT_FOUND');
    expect((await errorOf(collect(await file('f', 'x')))).code).toBe('SOURCE_NOT_FOUND');
  });
});

describe('freeBytes', () => {
  it('agrees with df', async () => {
    const df = execFileSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' });
    const expected = Number(df.trim().split('\n').at(-1));
    const actual = await freeBytes(dir);
    // Others write to the same disk meanwhile: allow 256 MiB of drift.
    expect(Math.abs(actual - expected)).toBeLessThan(256 * 1024 * 1024);
    expect(actual).toBeGreaterThan(0);
  });
});

describe('writeFileAtomic', () => {
  it('writes text content and returns its size and checksum', async () => {
    const dest = join(dir, 'sandbox', 'a', 'b.txt');
    expect(await writeFileAtomic(dest, 'héllo')).toEqual({ sizeBytes: 6, sha256: sha('héllo') });
    expect(await readFile(dest, 'utf8')).toBe('héllo');
    expect((await stat(dest)).mode & 0o777).toBe(0o644);
    expect(await readdir(join(dir, 'sandbox', 'a'))).toEqual(['b.txt']);
  });

  it('writes binary content larger than one chunk', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 3);
    const dest = join(dir, 'bin');
    expect(await writeFileAtomic(dest, data, { mode: 0o444 })).toEqual({ sizeBytes: data.length, sha256: sha(data) });
    expect(Buffer.compare(await readFile(dest), data)).toBe(0);
    expect((await stat(dest)).mode & 0o777).toBe(0o444);
  });

  it('writes random bytes of the exact size, with the checksum of what is on disk', async () => {
    for (const size of [0, 1, 1024 * 1024, 3 * 1024 * 1024 + 17]) {
      const dest = join(dir, `r${size}`);
      const result = await writeFileAtomic(dest, { randomBytes: size });
      expect(result.sizeBytes).toBe(size);
      expect((await stat(dest)).size).toBe(size);
      expect(await sha256File(dest)).toBe(result.sha256);
    }
  });

  it('produces different random content each time', async () => {
    const a = await writeFileAtomic(join(dir, 'a'), { randomBytes: 64 });
    const b = await writeFileAtomic(join(dir, 'b'), { randomBytes: 64 });
    expect(a.sha256).not.toBe(b.sha256);
  });

  it('refuses to overwrite', async () => {
    const dest = await file('dest', 'old');
    expect((await errorOf(writeFileAtomic(dest, 'new'))).code).toBe('TARGET_EXISTS');
    expect(await readFile(dest, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['dest']);
  });

  it('rejects a size that is not a natural number', async () => {
    await expect(writeFileAtomic(join(dir, 'x'), { randomBytes: -1 })).rejects.toThrow(RangeError);
    await expect(writeFileAtomic(join(dir, 'x'), { randomBytes: 1.5 })).rejects.toThrow(RangeError);
  });

  it('leaves nothing behind when aborted mid-write', async () => {
    const ac = new AbortController();
    const p = writeFileAtomic(join(dir, 'big'), { randomBytes: BIG_BYTES }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    expect((await errorOf(p)).code).toBe('CANCELLED');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('isTempFileName', () => {
  it('recognises the temp names of this module and nothing else', () => {
    expect(isTempFileName('.data.fits.stagecoach-0123456789ab.tmp')).toBe(true);
    expect(isTempFileName('.data.fits.stagecoach-0123456789abcdef-0123456789ab.tmp')).toBe(true);
    expect(isTempFileName('.data.fits.stagecoach-0123456789abcdef0123456789ab.tmp')).toBe(false);
    expect(isTempFileName('data.fits.stagecoach-0123456789ab.tmp')).toBe(false);
    expect(isTempFileName('.data.fits.tmp')).toBe(false);
    expect(isTempFileName('.x.stagecoach-0123456789ab.tmp.fits')).toBe(false);
  });
});
