import { StorageError } from '@stagecoach/storage';
import { digestForS3, etagMatches, S3Target, type S3Credentials, type S3Digest, type S3ObjectInfo } from '@stagecoach/storage/s3';
import { parseDuration } from '../../lib/duration';
import { readSecret } from '../sites/site-secrets';
import type { S3SiteConfig } from '../sites/sites.config';
import type { DeliveryMethod, TransferJob, TransferOutcome } from './method';
import type { DeliveryBatch, DeliverySession, RemoteDelivery } from './remote-target';

/** How long removing a cancelled file's leftovers may take. */
const DISCARD_TIMEOUT_MS = 60_000;
/** S3 limits keys to 1024 bytes of UTF-8. */
const MAX_KEY_BYTES = 1024;

/** The key of a user's target: `<prefix with {username}>/<target>`. */
export function s3Key(site: Pick<S3SiteConfig, 'prefix'>, username: string, target: string): string {
  const prefix = site.prefix.replaceAll('{username}', username).replace(/\/+$/, '');
  return prefix ? `${prefix}/${target}` : target;
}

interface BucketSession {
  site: S3SiteConfig;
  store: S3Target;
  username: string;
  linkSeconds: number;
}

const s3Delivery: RemoteDelivery<'S3'> = {
  siteKind: 'S3',

  checkTarget(site, owner, target) {
    const key = s3Key(site, owner.username, target);
    return Buffer.byteLength(key) > MAX_KEY_BYTES ? `The object key for ${JSON.stringify(target.slice(0, 80))} would be longer than S3's ${MAX_KEY_BYTES} bytes.` : null;
  },

  async open(batch: DeliveryBatch<'S3'>): Promise<DeliverySession> {
    const { site } = batch;
    let credentials: S3Credentials | undefined;
    if (site.credentials) {
      const c = site.credentials;
      credentials = { accessKeyId: await readSecret(batch.config, c.accessKeyId), secretAccessKey: await readSecret(batch.config, c.secretAccessKey) };
      if (c.sessionToken) credentials.sessionToken = await readSecret(batch.config, c.sessionToken);
    }
    const store = new S3Target({
      endpoint: site.endpoint,
      region: site.region,
      bucket: site.bucket,
      forcePathStyle: site.forcePathStyle,
      credentials,
      publicEndpoint: site.publicEndpoint,
      partSizeBytes: site.partSizeBytes,
      queueSize: site.queueSize,
      checksumAlgorithm: site.checksumAlgorithm,
      label: `Object storage "${site.name ?? site.id}"`,
    });
    try {
      // One cheap request tells a wrong endpoint, bucket or credentials before any file is read.
      await store.checkBucket(batch.signal);
    } catch (err) {
      store.destroy();
      throw err;
    }
    const session: BucketSession = { site, store, username: batch.owner.username, linkSeconds: Math.floor(parseDuration(site.linkValidity)! / 1000) };
    return {
      transfer: (job) => putOne(session, job),
      // An upload whose process died, or that was cancelled before it knew its upload id, leaves its parts billed in the bucket.
      discard: async (file) => void (await store.abortPendingUploads(s3Key(site, session.username, file.target), AbortSignal.timeout(DISCARD_TIMEOUT_MS))),
      close: async () => store.destroy(),
    };
  },
};

/** An object already under the key: identical bytes → SKIPPED, anything else → TARGET_EXISTS (left untouched). */
async function existingOutcome(s: BucketSession, job: TransferJob, key: string, digest: S3Digest, existing: S3ObjectInfo): Promise<TransferOutcome> {
  const same =
    existing.sizeBytes === digest.sizeBytes &&
    (existing.sha256 ? existing.sha256 === digest.sha256 : existing.etag !== null && (await etagMatches(existing.etag, digest, job.sourcePath, job.signal)) === true);
  if (!same) throw new StorageError('TARGET_EXISTS', `${job.target} already exists in your object storage area with different content; it was left untouched.`);
  job.onProgress(digest.sizeBytes);
  return { status: 'SKIPPED', sizeBytes: digest.sizeBytes, checksum: digest.sha256, accessUrl: await s.store.presignGet(key, s.linkSeconds), message: `${job.target} is already in your object storage area (identical), skipped` };
}

/**
 * One file: hash it (SHA-256 for the metadata and the skip check, the ETag S3 will compute), then
 * skip an identical object, refuse a different one, or upload and verify. Multipart uploads only
 * become visible when complete, so a failure never leaves a partial object under the key. The
 * upload itself only writes a free key (see S3Target.upload): an object that appears between
 * the look and the write is judged like one that was there before.
 */
async function putOne(s: BucketSession, job: TransferJob): Promise<TransferOutcome> {
  const key = s3Key(s.site, s.username, job.target);
  const digest = await digestForS3(job.sourcePath, s.store.partSizeBytes, { signal: job.signal });
  const existing = await s.store.head(key, job.signal);
  if (existing) return existingOutcome(s, job, key, digest, existing);
  // A rerun after a crash: the parts of the interrupted upload are swept first.
  if (job.resumed) await s.store.abortPendingUploads(key, job.signal);
  try {
    await s.store.upload(job.sourcePath, key, digest, { signal: job.signal, onProgress: job.onProgress });
  } catch (err) {
    if (!(err instanceof StorageError && err.code === 'TARGET_EXISTS')) throw err;
    const now = await s.store.head(key, job.signal);
    if (!now) throw err;
    return existingOutcome(s, job, key, digest, now);
  }
  return {
    status: 'DONE',
    sizeBytes: digest.sizeBytes,
    checksum: digest.sha256,
    accessUrl: await s.store.presignGet(key, s.linkSeconds),
    message: `uploaded ${job.source} → s3://${s.site.bucket}/${key}`,
  };
}

/** S3_COPY: copies into an S3-compatible bucket below the user's prefix; access by presigned link. */
export const s3Copy: DeliveryMethod = {
  method: 'S3_COPY',
  kind: 'delivery',
  delivery: s3Delivery as RemoteDelivery,
};
