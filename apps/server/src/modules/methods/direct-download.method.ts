import { sha256File } from '@stagecoach/storage';
import type { FileMethod } from './method';

/**
 * DIRECT_DOWNLOAD: nothing is copied. The file is checked and hashed so the user gets a checksum
 * to verify against; the signed link (`/download/:token`) then streams it straight from the source.
 */
export const directDownload: FileMethod = {
  method: 'DIRECT_DOWNLOAD',
  kind: 'file',
  target: 'none',
  async transfer(job) {
    const checksum = await sha256File(job.sourcePath, job.signal);
    job.onProgress(job.sizeBytes);
    return { status: 'DONE', sizeBytes: job.sizeBytes, checksum, message: `${job.source} is ready for download` };
  },
};
