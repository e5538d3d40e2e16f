import { compareExisting, copyFileAtomic, createHardlink, createSymlink, removeStaleTemps, sha256File, StorageError } from '@stagecoach/storage';
import type { FileMethod, TransferJob, TransferOutcome } from './method';

/** Existing target: identical → SKIPPED ("already available"); different → TARGET_EXISTS. */
async function skipIfPresent(job: TransferJob, kind: 'copy' | 'symlink' | 'hardlink'): Promise<TransferOutcome | null> {
  const existing = await compareExisting(job.sourcePath, job.targetPath!, { kind, signal: job.signal });
  if (existing === 'absent') return null;
  if (existing === 'different') {
    throw new StorageError('TARGET_EXISTS', `${job.target} already exists in your area with different content; it was left untouched.`);
  }
  return {
    status: 'SKIPPED',
    sizeBytes: job.sizeBytes,
    checksum: kind === 'copy' ? await sha256File(job.targetPath!, job.signal) : null,
    message: `${job.target} is already available (identical), skipped`,
  };
}

/**
 * LOCAL_COPY: kernel copy into a temporary name, sha256 beside it, fsync, publish, read-only.
 * `pauseAfterBytes`: the TEST_PAUSE_LOCAL_COPY_AFTER_BYTES seam (config/env.ts).
 */
export const localCopyMethod = (pauseAfterBytes?: number): FileMethod => ({
  method: 'LOCAL_COPY',
  kind: 'file',
  target: 'user-area',
  async transfer(job) {
    // Always, not only when the file is known to be resumed: a crash can come before the file's
    // RUNNING state was ever written. Safe because only a job for this very file writes temps
    // tagged with its id, and jobs lock their files (one job per file at a time; a crashed
    // worker's job is handed on only once it stopped beating), so none of them is live now —
    // another request's copy to the same target name carries another owner and is left alone.
    await removeStaleTemps(job.targetPath!, { owner: job.fileId });
    const skipped = await skipIfPresent(job, 'copy');
    if (skipped) return skipped;
    const { sizeBytes, sha256 } = await copyFileAtomic(job.sourcePath, job.targetPath!, { signal: job.signal, onProgress: job.onProgress, deferDirectorySync: job.deferDirectorySync, pauseAfterBytes, owner: job.fileId });
    return { status: 'DONE', sizeBytes, checksum: sha256, message: `copied ${job.source} → ${job.target}` };
  },
  async discard(job) {
    await removeStaleTemps(job.targetPath, { owner: job.fileId });
  },
});

/** LOCAL_SYMLINK: a link to the archive file; nothing is copied. */
export const localSymlink: FileMethod = {
  method: 'LOCAL_SYMLINK',
  kind: 'file',
  target: 'user-area',
  async transfer(job) {
    const skipped = await skipIfPresent(job, 'symlink');
    if (skipped) return skipped;
    await createSymlink(job.sourcePath, job.targetPath!, { deferDirectorySync: job.deferDirectorySync });
    job.onProgress(job.sizeBytes);
    return { status: 'DONE', sizeBytes: job.sizeBytes, checksum: null, message: `linked ${job.target} → ${job.source}` };
  },
};

/** LOCAL_HARDLINK: a second name of the archive file; same file system only. */
export const localHardlink: FileMethod = {
  method: 'LOCAL_HARDLINK',
  kind: 'file',
  target: 'user-area',
  async transfer(job) {
    const skipped = await skipIfPresent(job, 'hardlink');
    if (skipped) return skipped;
    await createHardlink(job.sourcePath, job.targetPath!, { deferDirectorySync: job.deferDirectorySync });
    job.onProgress(job.sizeBytes);
    return { status: 'DONE', sizeBytes: job.sizeBytes, checksum: null, message: `hard-linked ${job.target} ← ${job.source}` };
  },
};
