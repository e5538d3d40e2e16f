import { createHash, randomBytes, randomFill } from 'node:crypto';
import { constants, type BigIntStats, type Dirent } from 'node:fs';
import {
  copyFile,
  link,
  lstat,
  mkdir,
  open,
  opendir,
  readdir,
  readlink,
  stat,
  statfs,
  symlink,
  unlink,
  type FileHandle,
} from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { errnoCode, StorageError, toStorageError } from './errors';

const randomFillAsync = promisify(randomFill);

/**
 * 1 MiB reads: large enough that syscall and threadpool overhead vanish next to SHA-256
 * (~1.6 GB/s), small enough that two buffers per transfer cost nothing.
 */
const CHUNK_BYTES = 1 << 20;

export type ProgressListener = (bytesDone: number) => void;

export interface TransferResult {
  sizeBytes: number;
  /** SHA-256 of the bytes, lowercase hex. */
  sha256: string;
}

/** SHA-256 (hex) of a file, read in chunks so memory stays constant whatever its size. */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  try {
    return await hashFile(path, signal);
  } catch (err) {
    throw failure(err, signal, 'source');
  }
}

async function hashFile(
  path: string,
  signal?: AbortSignal,
  onProgress?: ProgressListener,
  sizeHint?: number,
  pauseAfterBytes?: number,
): Promise<string> {
  signal?.throwIfAborted();
  const fh = await open(path, 'r');
  try {
    return await hashHandle(fh, signal, onProgress, sizeHint ?? (await fh.stat()).size, pauseAfterBytes);
  } finally {
    await fh.close();
  }
}

/**
 * Read buffers sized to the file: two 1 MiB buffers for every 4 KiB file made a 10,000-file
 * request allocate 20 GB and spend a large share of its CPU in GC (bench files-10k profile).
 * One byte more than the expected size so the common case ends with a single short read; a
 * file that grew meanwhile is still read to its end.
 */
function readBufferBytes(sizeHint: number | undefined): number {
  if (sizeHint === undefined || !Number.isFinite(sizeHint)) return CHUNK_BYTES;
  return Math.min(CHUNK_BYTES, Math.max(4096, sizeHint + 1));
}

/**
 * Two buffers so the next read runs in the threadpool while this chunk is hashed on the main
 * thread; hashing is the slower side, so reading becomes almost free.
 */
async function hashHandle(
  fh: FileHandle,
  signal?: AbortSignal,
  onProgress?: ProgressListener,
  sizeHint?: number,
  pauseAfterBytes?: number,
): Promise<string> {
  const hash = createHash('sha256');
  const chunk = readBufferBytes(sizeHint);
  let buffers = [Buffer.allocUnsafe(chunk), Buffer.allocUnsafe(chunk)] as const;
  let position = 0;
  let pending = fh.read(buffers[0], 0, chunk, position);
  try {
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      signal?.throwIfAborted();
      position += bytesRead;
      const current = buffers[0];
      buffers = [buffers[1], buffers[0]];
      pending = fh.read(buffers[0], 0, chunk, position);
      hash.update(current.subarray(0, bytesRead));
      onProgress?.(position);
      if (pauseAfterBytes !== undefined && position >= pauseAfterBytes) await untilAborted(signal);
    }
  } catch (err) {
    // The read ahead may still fail after we gave up; nobody will look at it.
    pending.catch(() => undefined);
    throw err;
  }
  return hash.digest('hex');
}

/** Never resolves; rejects with the abort reason once `signal` aborts. */
function untilAborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (signal?.aborted) reject(signal.reason);
    else signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export interface CopyOptions {
  signal?: AbortSignal;
  /** Bytes of the source hashed so far; hashing runs beside the copy and is the slower of the two. */
  onProgress?: ProgressListener;
  /** Fail with CHECKSUM_MISMATCH unless the source hashes to this (e.g. a checksum from the archive). */
  expectedSha256?: string;
  /**
   * How the copy is checked before it is published. 'size' (default): the copy has the
   * source's size and the source did not change meanwhile. 'sha256': also re-read the copy and
   * compare hashes — worth it on network file systems; on a local disk the re-read comes from
   * the page cache and proves little for the cost of a full read.
   */
  verify?: 'size' | 'sha256';
  /** fsync the file before publishing it and the folder after (default true): survives power loss. */
  durable?: boolean;
  /** See `DeferDirectorySync`. */
  deferDirectorySync?: DeferDirectorySync;
  /**
   * Who writes this copy (e.g. the staged file's id). Its temp name carries a digest of it, so
   * `removeStaleTemps(dest, { owner })` can remove what this owner left behind after a crash
   * without touching another owner's copy of the same name that is still being written.
   */
  owner?: string;
  /**
   * Test seam: once this many bytes are done, wait until `signal` aborts (the copy then fails
   * CANCELLED, its temporary file removed), so a test can cancel a copy that is surely running.
   */
  pauseAfterBytes?: number;
}

/**
 * Takes over the folder fsync that makes a new name durable: called with the folder instead of
 * fsyncing it, once the name is in place. The caller must `syncDirectories` every folder it was
 * given before it reports the file as staged. A request of 10,000 files into a few folders then
 * costs a few folder fsyncs per batch instead of one per file — on this disk an fsync is the
 * most expensive step of a small file's copy (bench files-10k).
 */
export type DeferDirectorySync = (dir: string) => void;

/** fsyncs folders (in parallel) so that the names created in them survive power loss. */
export async function syncDirectories(dirs: Iterable<string>): Promise<void> {
  try {
    await Promise.all([...dirs].map((d) => syncDirectory(d)));
  } catch (err) {
    throw toStorageError(err, 'target');
  }
}

/**
 * Copies `src` to `dest` so that `dest` either does not exist or is complete, verified and
 * read-only (0444); never overwrites an existing `dest` (StorageError TARGET_EXISTS).
 *
 * The bytes move with a kernel copy (`copyFile`, copy_file_range) into a temporary name beside
 * `dest` while the source is hashed concurrently: reading, hashing and writing in one stream
 * ran at about half the speed of a kernel copy and a separate hashing read side by side.
 *
 * Publishing uses link(tmp, dest) + unlink(tmp), not rename: rename silently replaces an
 * existing target, so check-then-rename would let a second worker running the same job (jobs
 * may run twice) overwrite a file in the gap; link fails with EEXIST atomically. A crash between
 * link and unlink leaves only a second name of the same finished, read-only file (see
 * `isTempFileName` for sweeping). Requires a file system with hard links (ext4, XFS, NFS, CephFS).
 */
export async function copyFileAtomic(src: string, dest: string, options: CopyOptions = {}): Promise<TransferResult> {
  const { signal, onProgress, expectedSha256, verify = 'size', durable = true, deferDirectorySync, pauseAfterBytes, owner } = options;
  throwIfCancelled(signal);
  const before = await statSource(src);
  await ensureParent(dest);
  await refuseExisting(dest);

  const tmp = tempPathFor(dest, owner);
  // Lets a failed copy stop the hashing (and vice versa) without waiting for the slower one.
  const stop = new AbortController();
  const combined = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const copying = copyFile(src, tmp, constants.COPYFILE_EXCL);
  const writingBack = durable && before.size >= EARLY_WRITEBACK_BYTES ? writeBackWhileCopying(tmp, copying, combined) : undefined;
  let published = false;
  try {
    const [, sha256] = await Promise.all([
      copying.catch((err: unknown) => {
        stop.abort();
        throw err;
      }),
      hashFile(src, combined, onProgress, Number(before.size), pauseAfterBytes).catch((err: unknown) => {
        stop.abort();
        throw err;
      }),
    ]);
    await writingBack;
    signal?.throwIfAborted();
    const after = await statSource(src);
    if (after.size !== before.size || after.mtimeNs !== before.mtimeNs || after.ino !== before.ino) {
      throw new StorageError('TRANSFER_FAILED', 'The source file changed while it was being copied.');
    }
    if (expectedSha256 !== undefined && expectedSha256.toLowerCase() !== sha256) {
      throw new StorageError('CHECKSUM_MISMATCH', 'The source file does not have the expected checksum.');
    }
    await sealTemp(tmp, { sizeBytes: Number(before.size), sha256, verify, durable, signal, mode: 0o444 });
    await publish(tmp, dest, durable, deferDirectorySync);
    published = true;
    return { sizeBytes: Number(before.size), sha256 };
  } catch (err) {
    // Stops the early writeback without waiting for the copy (which cannot be interrupted).
    stop.abort();
    // A failing cleanup must not hide the error that made it necessary.
    if (!published) await removeTempCopy(tmp, copying).catch(() => undefined);
    throw failure(err, signal);
  }
}

/** Copies at least this big start their writeback while the kernel copy is still running. */
const EARLY_WRITEBACK_BYTES = 64 << 20;

/**
 * fdatasyncs the temp file every 50 ms while `copyFile` fills it, so the disk writes during the
 * copy instead of after it, and the fsync before publishing only waits for the tail. Bench
 * copy-1g: that fsync took ~0.5 s of a 1 GiB copy afterwards and ~10–30 ms with this. It adds
 * no durability (sealTemp's fsync does) and decides nothing: errors are left to that fsync.
 * Resolves (never rejects) once the copy has settled or `stop` fired, and its descriptor is closed.
 */
async function writeBackWhileCopying(tmp: string, copying: Promise<void>, stop: AbortSignal): Promise<void> {
  let copied = false;
  const settled = copying.then(
    () => void (copied = true),
    () => void (copied = true),
  );
  const pause = (ms: number) => Promise.race([settled, new Promise<void>((r) => setTimeout(r, ms))]);
  let fh: FileHandle | undefined;
  try {
    // copyFile creates the temp file itself; wait for it to appear.
    while (!copied && !stop.aborted && !fh) {
      fh = await open(tmp, 'r').catch(() => undefined);
      if (!fh) await pause(10);
    }
    while (fh && !copied && !stop.aborted) {
      await fh.datasync();
      await pause(50);
    }
  } catch {
    // Only an early start; the final fsync reports what matters.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new StorageError('CANCELLED', 'The transfer was cancelled.', { cause: signal.reason });
  }
}

/** An abort wins over whatever error it provoked, so a cancelled job is reported as CANCELLED. */
function failure(err: unknown, signal: AbortSignal | undefined, side: 'source' | 'target' = 'target'): StorageError {
  if (signal?.aborted === true) {
    return new StorageError('CANCELLED', 'The transfer was cancelled.', { cause: signal.reason });
  }
  return toStorageError(err, side);
}

async function statSource(src: string) {
  let s;
  try {
    s = await stat(src, { bigint: true });
  } catch (err) {
    throw toStorageError(err, 'source');
  }
  // A FIFO or device would block or never end; only regular files are staged.
  if (!s.isFile()) throw new StorageError('TRANSFER_FAILED', 'The source is not a regular file.');
  return s;
}

/**
 * Removes the temporary copy after a failure or abort. copyFile cannot be interrupted, so on
 * abort the name is unlinked at once (the kernel finishes into an orphaned inode, freed when it
 * closes) — unless copyFile has not created it yet, in which case we wait for it to settle
 * first so it cannot appear after we return.
 */
async function removeTempCopy(tmp: string, copying: Promise<void>): Promise<void> {
  if (await unlinkIfPresent(tmp)) {
    copying.catch(() => undefined);
    return;
  }
  await copying.catch(() => undefined);
  await unlinkIfPresent(tmp);
}

async function unlinkIfPresent(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}

interface SealOptions {
  sizeBytes: number;
  sha256: string;
  verify: 'size' | 'sha256';
  durable: boolean;
  mode: number;
  signal: AbortSignal | undefined;
}

/** Checks the finished temp file, makes it durable and sets its final mode before it gets a real name. */
async function sealTemp(tmp: string, o: SealOptions): Promise<void> {
  const fh = await open(tmp, 'r');
  try {
    const { size } = await fh.stat();
    if (size !== o.sizeBytes) {
      throw new StorageError('TRANSFER_FAILED', 'The copy does not have the size of the source.');
    }
    if (o.verify === 'sha256' && (await hashHandle(fh, o.signal, undefined, size)) !== o.sha256) {
      throw new StorageError('CHECKSUM_MISMATCH', 'The copy does not have the checksum of the source.');
    }
    await fh.chmod(o.mode);
    if (o.durable) await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Gives the temp file its final name without ever replacing an existing one (see copyFileAtomic). */
async function publish(tmp: string, dest: string, durable: boolean, defer?: DeferDirectorySync): Promise<void> {
  try {
    await link(tmp, dest);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') {
      throw new StorageError('TARGET_EXISTS', 'The target already exists.', { cause: err });
    }
    throw err;
  }
  await unlink(tmp);
  if (durable) await syncOrDefer(dirname(dest), defer);
}

async function syncOrDefer(dir: string, defer: DeferDirectorySync | undefined): Promise<void> {
  if (defer) defer(dir);
  else await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** `-<owner digest>` is present when the writer named an owner (see `CopyOptions.owner`). */
const TEMP_TAIL = /^(?:[0-9a-f]{16}-)?[0-9a-f]{12}\.tmp$/;
const OWNED_TEMP_TAIL = /^[0-9a-f]{12}\.tmp$/;
const TEMP_MARK = '.stagecoach-';

/** True for the temporary names this module writes, so a sweeper can find leftovers of a crash. */
export function isTempFileName(name: string): boolean {
  if (!name.startsWith('.')) return false;
  const at = name.lastIndexOf(TEMP_MARK);
  return at > 0 && TEMP_TAIL.test(name.slice(at + TEMP_MARK.length));
}

/**
 * True when `name` is a temporary name this module gives a copy to `dest` — exactly `dest`'s,
 * not that of a target whose name merely starts the same (`file1` vs `file10`). With `owner`,
 * only that owner's temps match.
 */
export function isTempFileNameOf(name: string, dest: string, owner?: string): boolean {
  const prefix = tempPrefixFor(dest) + (owner === undefined ? '' : `${ownerTag(owner)}-`);
  return name.startsWith(prefix) && (owner === undefined ? TEMP_TAIL : OWNED_TEMP_TAIL).test(name.slice(prefix.length));
}

/** `.<name>.stagecoach-`, with `<name>` cut so the whole temp name fits NAME_MAX (255 bytes). */
function tempPrefixFor(dest: string): string {
  return `.${truncateUtf8(basename(dest), 200)}${TEMP_MARK}`;
}

/** 64 bits of the owner's SHA-256: two owners of one target name practically never collide. */
function ownerTag(owner: string): string {
  return createHash('sha256').update(owner).digest('hex').slice(0, 16);
}

/** `.<name>.stagecoach-[<owner tag>-]<random>.tmp` beside `dest`. */
function tempPathFor(dest: string, owner?: string): string {
  const tag = owner === undefined ? '' : `${ownerTag(owner)}-`;
  return join(dirname(dest), `${tempPrefixFor(dest)}${tag}${randomBytes(6).toString('hex')}.tmp`);
}

function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

async function ensureParent(dest: string): Promise<void> {
  try {
    await mkdir(dirname(dest), { recursive: true });
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new StorageError('TARGET_EXISTS', 'A file is in the way of the target folder.', { cause: err });
    }
    throw toStorageError(err, 'target');
  }
}

/** Early answer before a long copy; the atomic guard is still the final link()/symlink(). */
async function refuseExisting(dest: string): Promise<void> {
  if ((await lstatOrNull(dest)) !== null) {
    throw new StorageError('TARGET_EXISTS', 'The target already exists.');
  }
}

async function lstatOrNull(path: string) {
  try {
    return await lstat(path);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

export type ExistingTarget = 'absent' | 'identical' | 'different';

export interface CompareOptions {
  /** What the target is supposed to be (default 'copy'). */
  kind?: 'copy' | 'symlink' | 'hardlink';
  /** Known SHA-256 of `src`, to skip hashing it again. */
  srcSha256?: string;
  signal?: AbortSignal;
}

/**
 * Whether `dest` already holds what staging `src` would produce there.
 *
 * - copy: a regular file with the same size and then the same SHA-256. A symlink at `dest` is
 *   'different' and never followed: it could point outside the user's root.
 * - symlink: a symlink whose destination resolves to `src`.
 * - hardlink: the same inode on the same device as `src`.
 *
 * Anything else in the way (a folder, a file where a folder should be) is 'different'.
 */
export async function compareExisting(src: string, dest: string, options: CompareOptions = {}): Promise<ExistingTarget> {
  const { kind = 'copy', srcSha256, signal } = options;
  try {
    const target = await lstatOrNull(dest);
    if (target === null) return 'absent';
    switch (kind) {
      case 'symlink': {
        if (!target.isSymbolicLink()) return 'different';
        const to = await readlink(dest);
        return resolve(dirname(dest), to) === resolve(src) ? 'identical' : 'different';
      }
      case 'hardlink': {
        const source = await stat(src);
        return target.isFile() && target.ino === source.ino && target.dev === source.dev ? 'identical' : 'different';
      }
      case 'copy': {
        if (!target.isFile()) return 'different';
        const source = await stat(src);
        if (target.size !== source.size) return 'different';
        if (target.ino === source.ino && target.dev === source.dev) return 'identical';
        const [a, b] = await Promise.all([
          srcSha256 ?? hashFile(src, signal, undefined, source.size),
          hashFile(dest, signal, undefined, target.size),
        ]);
        return a.toLowerCase() === b ? 'identical' : 'different';
      }
    }
  } catch (err) {
    throw failure(err, signal, 'source');
  }
}

export interface LinkOptions {
  /** fsync the folder after creating the link (default true). */
  durable?: boolean;
  /** See `DeferDirectorySync`. */
  deferDirectorySync?: DeferDirectorySync;
}

/**
 * Creates a symbolic link at `dest` pointing to the absolute path `src`; never replaces an
 * existing entry (TARGET_EXISTS).
 */
export async function createSymlink(src: string, dest: string, options: LinkOptions = {}): Promise<void> {
  // A relative link would be read relative to the link's folder and point somewhere unintended.
  if (!isAbsolute(src)) throw new TypeError('createSymlink needs an absolute source path');
  await ensureParent(dest);
  try {
    await symlink(src, dest);
    if (options.durable !== false) await syncOrDefer(dirname(dest), options.deferDirectorySync);
  } catch (err) {
    throw toStorageError(err, 'target');
  }
}

/**
 * Creates a hard link at `dest` to `src`; never replaces an existing entry (TARGET_EXISTS).
 * The file is shared, so its mode is left alone: changing it would change the source too.
 */
export async function createHardlink(src: string, dest: string, options: LinkOptions = {}): Promise<void> {
  await ensureParent(dest);
  try {
    await link(src, dest);
    if (options.durable !== false) await syncOrDefer(dirname(dest), options.deferDirectorySync);
  } catch (err) {
    if (errnoCode(err) === 'EXDEV') {
      throw new StorageError(
        'TRANSFER_FAILED',
        'source and target are on different file systems; hard links are impossible, use LOCAL_COPY',
        { cause: err },
      );
    }
    throw toStorageError(err, 'source');
  }
}

export interface DirectoryEntry {
  name: string;
  /** From lstat: a symlink is reported as 'symlink' and never followed. */
  kind: 'file' | 'directory' | 'symlink' | 'other';
  isDirectory: boolean;
  /** Size of regular files; null for everything else. */
  sizeBytes: number | null;
}

/** Lists a folder, folders first then by name, without following symlinks. */
export async function listDirectory(absDir: string): Promise<DirectoryEntry[]> {
  let dirents;
  try {
    dirents = await readdir(absDir, { withFileTypes: true });
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new StorageError('SOURCE_NOT_FOUND', 'The folder does not exist.', { cause: err });
    }
    throw toStorageError(err, 'source');
  }
  const entries: DirectoryEntry[] = [];
  // Bounded batches: one lstat per file, without opening thousands of requests at once.
  for (let i = 0; i < dirents.length; i += 64) {
    const batch = await Promise.all(
      dirents.slice(i, i + 64).map(async (d): Promise<DirectoryEntry | null> => {
        if (d.isDirectory()) return { name: d.name, kind: 'directory', isDirectory: true, sizeBytes: null };
        if (d.isSymbolicLink()) return { name: d.name, kind: 'symlink', isDirectory: false, sizeBytes: null };
        if (!d.isFile()) return { name: d.name, kind: 'other', isDirectory: false, sizeBytes: null };
        const s = await lstatOrNull(join(absDir, d.name));
        // Deleted since readdir: leave it out rather than fail the whole listing.
        if (s === null) return null;
        return { name: d.name, kind: 'file', isDirectory: false, sizeBytes: s.size };
      }),
    );
    for (const e of batch) if (e !== null) entries.push(e);
  }
  return entries.sort((a, b) => Number(b.isDirectory) - Number(a.isDirectory) || compareNames(a.name, b.name));
}

/** Where a page of a listing starts: after this entry, in listing order (folders first, then by name). */
export interface ListingPosition {
  isDirectory: boolean;
  name: string;
}

export interface DirectoryPage {
  entries: DirectoryEntry[];
  /** More entries follow the last one. */
  hasMore: boolean;
}

/**
 * One page of `listDirectory`'s order: the first `first` entries after `after`. The folder is read
 * incrementally and only the page is kept (and lstat'ed), so memory and per-file work stay bounded
 * by the page size, however large the folder is.
 */
export async function listDirectoryPage(absDir: string, options: { first: number; after?: ListingPosition | null }): Promise<DirectoryPage> {
  const { first, after } = options;
  if (!Number.isSafeInteger(first) || first < 1) throw new RangeError('first must be a positive integer');
  let dir;
  try {
    dir = await opendir(absDir, { bufferSize: 128 });
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new StorageError('SOURCE_NOT_FOUND', 'The folder does not exist.', { cause: err });
    }
    throw toStorageError(err, 'source');
  }
  // The smallest `first + 1` entries after `after`, kept sorted (one more tells whether more follow).
  const kept: Dirent[] = [];
  const keep = first + 1;
  try {
    for (let d = await dir.read(); d !== null; d = await dir.read()) {
      if (after && compareListing(d, after) <= 0) continue;
      if (kept.length === keep && compareListing(d, kept[keep - 1]!) >= 0) continue;
      let lo = 0;
      let hi = kept.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (compareListing(kept[mid]!, d) < 0) lo = mid + 1;
        else hi = mid;
      }
      kept.splice(lo, 0, d);
      if (kept.length > keep) kept.pop();
    }
  } catch (err) {
    throw toStorageError(err, 'source');
  } finally {
    await dir.close().catch(() => undefined);
  }
  const hasMore = kept.length > first;
  const entries: DirectoryEntry[] = [];
  for (const d of kept.slice(0, first)) {
    if (d.isDirectory()) entries.push({ name: d.name, kind: 'directory', isDirectory: true, sizeBytes: null });
    else if (d.isSymbolicLink()) entries.push({ name: d.name, kind: 'symlink', isDirectory: false, sizeBytes: null });
    else if (!d.isFile()) entries.push({ name: d.name, kind: 'other', isDirectory: false, sizeBytes: null });
    else {
      const st = await lstatOrNull(join(absDir, d.name));
      // Deleted since it was read: left out rather than failing the page.
      if (st !== null) entries.push({ name: d.name, kind: 'file', isDirectory: false, sizeBytes: st.size });
    }
  }
  return { entries, hasMore };
}

function compareListing(a: ListingPosition | Dirent, b: ListingPosition | Dirent): number {
  const da = typeof a.isDirectory === 'function' ? a.isDirectory() : a.isDirectory;
  const db = typeof b.isDirectory === 'function' ? b.isDirectory() : b.isDirectory;
  return Number(db) - Number(da) || compareNames(a.name, b.name);
}

/** Code-unit order: stable across locales and machines, unlike localeCompare. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface WalkedFile {
  /** `/`-separated, relative to the folder walked. */
  path: string;
  sizeBytes: number;
}

/**
 * How far a walk (or several walks sharing it) may go: at most `limit` files and, apart, at most
 * `limit` other entries (folders, links, special files). Once either is spent the walk stops and
 * `exceeded` says which: a caller that needs at most N files passes N + 1 and refuses when it is
 * exceeded, without reading the rest of a huge tree.
 */
export class WalkBudget {
  entriesRead = 0;
  files = 0;
  others = 0;
  exceeded: 'files' | 'others' | null = null;
  constructor(readonly limit: number) {}

  /** Counts one entry; false once its kind's limit is spent. */
  take(d: Dirent): boolean {
    const isFile = d.isFile();
    if ((isFile ? this.files : this.others) >= this.limit) {
      this.exceeded = isFile ? 'files' : 'others';
      return false;
    }
    if (isFile) this.files++;
    else this.others++;
    this.entriesRead++;
    walkCounters.entriesRead++;
    return true;
  }
}

/** Directory entries read by every walk of this process, for tests that bound the work done. */
export const walkCounters = { entriesRead: 0 };

export interface WalkOptions {
  /** Told about every entry left out: symlinks (could leave the root or loop) and special files (FIFOs block). */
  onSkip?: (path: string, kind: 'symlink' | 'other') => void;
  /** Stops the walk once its files, or its folders and links, pass a limit; see WalkBudget. */
  budget?: WalkBudget;
}

/**
 * Yields every regular file below `absDir` in name order, depth first, never following symlinks.
 * Folders are read incrementally, so a budget stops the walk without reading a huge folder whole.
 */
export async function* walkFiles(absDir: string, options: WalkOptions = {}): AsyncGenerator<WalkedFile> {
  try {
    const s = await stat(absDir);
    if (!s.isDirectory()) throw new StorageError('SOURCE_NOT_FOUND', 'The folder does not exist.');
  } catch (err) {
    throw errnoCode(err) === 'ENOENT'
      ? new StorageError('SOURCE_NOT_FOUND', 'The folder does not exist.', { cause: err })
      : toStorageError(err, 'source');
  }
  yield* walk(absDir, '', options);
}

async function* walk(absDir: string, prefix: string, options: WalkOptions): AsyncGenerator<WalkedFile> {
  const dirents: Dirent[] = [];
  try {
    const dir = await opendir(join(absDir, prefix), { bufferSize: 32 });
    try {
      for (let d = await dir.read(); d !== null; d = await dir.read()) {
        if (options.budget && !options.budget.take(d)) return;
        dirents.push(d);
      }
    } finally {
      await dir.close().catch(() => undefined);
    }
  } catch (err) {
    throw toStorageError(err, 'source');
  }
  dirents.sort((a, b) => compareNames(a.name, b.name));
  for (const d of dirents) {
    const rel = prefix === '' ? d.name : `${prefix}/${d.name}`;
    if (d.isDirectory()) {
      yield* walk(absDir, rel, options);
      if (options.budget?.exceeded) return;
    } else if (d.isSymbolicLink()) options.onSkip?.(rel, 'symlink');
    else if (!d.isFile()) options.onSkip?.(rel, 'other');
    else {
      const s = await lstatOrNull(join(absDir, rel));
      if (s !== null) yield { path: rel, sizeBytes: s.size };
    }
  }
}

/**
 * What an entry is right now, without following a final symlink: `dev:ino:size:mtimeNs`, or null
 * when nothing is there. Any rewrite in place changes the mtime, a replacement changes the inode:
 * two equal identities mean the same, unchanged entry.
 */
export async function entryIdentity(path: string): Promise<string | null> {
  try {
    return identityOf(await lstat(path, { bigint: true }));
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw toStorageError(err, 'target');
  }
}

/** The identity (see entryIdentity) of stats taken with `bigint: true`. */
export function identityOf(s: BigIntStats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}`;
}

/** Bytes available to unprivileged users on the file system holding `path`. */
export async function freeBytes(path: string): Promise<number> {
  try {
    const s = await statfs(path);
    return s.bavail * s.bsize;
  } catch (err) {
    throw toStorageError(err, 'target');
  }
}

export type FileContent = string | Uint8Array | { randomBytes: number };

export interface WriteOptions {
  signal?: AbortSignal;
  /** Final mode of the file (default 0o644). */
  mode?: number;
  durable?: boolean;
}

/**
 * Creates `dest` with the given content (or `randomBytes` random bytes, generated chunk by
 * chunk in constant memory) through a temporary name, so it appears complete or not at all;
 * never overwrites (TARGET_EXISTS).
 */
export async function writeFileAtomic(dest: string, content: FileContent, options: WriteOptions = {}): Promise<TransferResult> {
  const { signal, mode = 0o644, durable = true } = options;
  if (typeof content === 'object' && 'randomBytes' in content) {
    const n = content.randomBytes;
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('randomBytes must be a non-negative integer');
  }
  throwIfCancelled(signal);
  await ensureParent(dest);
  await refuseExisting(dest);
  const tmp = tempPathFor(dest);
  let published = false;
  try {
    const hash = createHash('sha256');
    let sizeBytes = 0;
    const fh = await open(tmp, 'wx', 0o600);
    try {
      for await (const chunk of contentChunks(content)) {
        signal?.throwIfAborted();
        hash.update(chunk);
        await writeAll(fh, chunk);
        sizeBytes += chunk.length;
      }
      await fh.chmod(mode);
      if (durable) await fh.sync();
    } finally {
      await fh.close();
    }
    const sha256 = hash.digest('hex');
    signal?.throwIfAborted();
    await publish(tmp, dest, durable);
    published = true;
    return { sizeBytes, sha256 };
  } catch (err) {
    if (!published) await unlinkIfPresent(tmp).catch(() => undefined);
    throw failure(err, signal);
  }
}

async function writeAll(fh: FileHandle, chunk: Uint8Array): Promise<void> {
  // write(2) may write less than asked (signals, nearly full disk); a short file must not pass.
  for (let offset = 0; offset < chunk.length;) {
    const { bytesWritten } = await fh.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

/**
 * The content in chunks of at most CHUNK_BYTES, so an abort is noticed between chunks. Random
 * content reuses one buffer: each chunk is written before the next one is generated.
 */
async function* contentChunks(content: FileContent): AsyncGenerator<Uint8Array> {
  if (typeof content === 'string' || content instanceof Uint8Array) {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    for (let i = 0; i < bytes.length; i += CHUNK_BYTES) yield bytes.subarray(i, i + CHUNK_BYTES);
    return;
  }
  const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(content.randomBytes, 1)));
  for (let left = content.randomBytes; left > 0;) {
    const n = Math.min(left, buffer.length);
    const chunk = buffer.subarray(0, n);
    await randomFillAsync(chunk);
    yield chunk;
    left -= n;
  }
}
