/**
 * An S3 bucket (AWS, Ceph RGW, MinIO, s3rver) as a staging target: multipart uploads in constant
 * memory (one reused buffer per part in flight) with bounded concurrency, a SHA-256 of every object
 * kept in its metadata (`sha256`) so a later request can tell an identical object from a different
 * one, and presigned GET links.
 *
 * How an upload is verified: the multipart ETag of S3-compatible stores is the MD5 of the parts'
 * MD5s (`<hex>-<parts>`), a single PUT's ETag the MD5 of the bytes; we compute the same from the
 * source, with the same part size, and compare it with what the store answers. Where the store
 * supports flexible checksums, `checksumAlgorithm: 'SHA256'` additionally makes it check every
 * part before accepting it.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { errnoCode, isAbortError, StorageError } from './errors';
import { giveBackBuffer, takeBuffer } from './spare-buffers';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3TargetOptions {
  /** Endpoint URL (Ceph RGW, MinIO, ...); unset → AWS for the region. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Bucket in the path (`https://host/bucket/key`) instead of the host name: RGW, MinIO and s3rver usually need it. */
  forcePathStyle?: boolean;
  /** Unset → the AWS SDK's default chain (environment, web identity, instance profile). */
  credentials?: S3Credentials;
  /** Endpoint users' browsers reach, for presigned links, when not `endpoint` (e.g. an internal service name). */
  publicEndpoint?: string;
  /** Bytes per part (≥ 5 MiB); a file up to this size is one PUT. Memory per upload ≈ partSize × queueSize (the parts in flight). */
  partSizeBytes?: number;
  /** Parts of one file uploaded in parallel (default 2). */
  queueSize?: number;
  /** Ask the store to verify each part with a SHA-256 flexible checksum (AWS, recent MinIO and Ceph). */
  checksumAlgorithm?: 'SHA256';
  /** How the store is named in messages (the site's name). */
  label?: string;
}

/** What the store holds under a key. */
export interface S3ObjectInfo {
  sizeBytes: number;
  /** From our `sha256` metadata, when the object was written by Stagecoach (or set by someone else). */
  sha256: string | null;
  /** Without quotes. */
  etag: string | null;
}

/** Fingerprints of a local file, computed in one read: its SHA-256 and the ETag S3 will give it. */
export interface S3Digest {
  sizeBytes: number;
  sha256: string;
  etag: string;
}

export const MIN_PART_BYTES = 5 * 1024 * 1024;
const DEFAULT_PART_BYTES = 16 * 1024 * 1024;
const DEFAULT_QUEUE_SIZE = 2;
const READ_BYTES = 1 << 20;
/** S3's limit of parts per multipart upload. */
const MAX_PARTS = 10_000;
const MD5_ETAG = /^[0-9a-f]{32}(-\d+)?$/;

const unquote = (etag: string | undefined | null) => (etag ? etag.replace(/^(W\/)?"|"$/g, '').toLowerCase() : null);

const sourceUnreadable = (err: unknown) =>
  new StorageError(errnoCode(err) === 'ENOENT' ? 'SOURCE_NOT_FOUND' : 'TRANSFER_FAILED', 'The source file cannot be read.', { cause: err });

const sourceChanged = () => new StorageError('TRANSFER_FAILED', 'The source file changed while it was being read.');

/**
 * Reads a whole file front to back through one reused buffer, handing each piece to `onData`
 * (valid only during the call). Not a read stream: that allocates a new buffer per read, and the
 * GC frees them late — a 1 GiB read left tens of MB of them behind. Returns the size when opened
 * and the bytes read (they differ when the file changed meanwhile).
 */
async function readThrough(path: string, signal: AbortSignal | undefined, onData: (data: Buffer, position: number) => void): Promise<{ size: number; read: number }> {
  const fh = await open(path, 'r').catch((err: unknown) => {
    throw sourceUnreadable(err);
  });
  try {
    const { size } = await fh.stat();
    const buf = Buffer.allocUnsafe(READ_BYTES);
    let position = 0;
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, 0, READ_BYTES, position);
      if (bytesRead === 0) break;
      onData(buf.subarray(0, bytesRead), position);
      position += bytesRead;
    }
    return { size, read: position };
  } catch (err) {
    if (err instanceof StorageError) throw err;
    if (isAbortError(err)) throw new StorageError('CANCELLED', 'The transfer was cancelled.', { cause: err });
    throw new StorageError('TRANSFER_FAILED', 'The source file cannot be read.', { cause: err });
  } finally {
    await fh.close();
  }
}

/**
 * SHA-256 and expected ETag of a file for a given part size, read once in 1 MiB steps. Parts follow
 * `S3Target.upload`: a file up to `partSizeBytes` is one PUT, larger files are cut into parts of
 * exactly `partSizeBytes` with the remainder last.
 */
export async function digestForS3(path: string, partSizeBytes: number, opts: { signal?: AbortSignal; onProgress?(bytes: number): void } = {}): Promise<S3Digest> {
  const sha = createHash('sha256');
  const partDigests: Buffer[] = [];
  let part: Hash = createHash('md5');
  let inPart = 0;
  const { size, read } = await readThrough(path, opts.signal, (chunk, position) => {
    let data = chunk;
    sha.update(data);
    while (data.length > 0) {
      const take = Math.min(data.length, partSizeBytes - inPart);
      part.update(data.subarray(0, take));
      inPart += take;
      data = data.subarray(take);
      if (inPart === partSizeBytes) {
        partDigests.push(part.digest());
        part = createHash('md5');
        inPart = 0;
      }
    }
    opts.onProgress?.(position + chunk.length);
  });
  if (inPart > 0 || partDigests.length === 0) partDigests.push(part.digest());
  const etag = read <= partSizeBytes ? partDigests[0]!.toString('hex') : `${createHash('md5').update(Buffer.concat(partDigests)).digest('hex')}-${partDigests.length}`;
  if (read !== size) throw sourceChanged();
  return { sizeBytes: read, sha256: sha.digest('hex'), etag };
}

/**
 * Whether a store's ETag fits the local file: null when it says nothing (not MD5-style, e.g. SSE-KMS).
 * Stores differ for multipart objects: AWS, Ceph RGW and MinIO answer the MD5 of the part MD5s
 * (`-<parts>`), some (s3rver) the MD5 of the whole content, which then costs one more read.
 */
export async function etagMatches(etag: string, digest: S3Digest, localPath: string, signal?: AbortSignal): Promise<boolean | null> {
  const e = unquote(etag)!;
  if (!MD5_ETAG.test(e)) return null;
  if (e === digest.etag) return true;
  if (e.includes('-') || !digest.etag.includes('-')) return false;
  const md5 = createHash('md5');
  await readThrough(localPath, signal, (data) => md5.update(data));
  return e === md5.digest('hex');
}

/** Reads `length` bytes at `position` into `buf`, failing when the file is shorter than it was. */
async function readPart(fh: FileHandle, buf: Buffer, length: number, position: number): Promise<Buffer> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done).catch((err: unknown) => {
      throw sourceUnreadable(err);
    });
    if (bytesRead === 0) throw sourceChanged();
    done += bytesRead;
  }
  return buf.subarray(0, length);
}

/** One bucket, with one client (reuse it for a batch: it keeps its connections). */
export class S3Target {
  readonly bucket: string;
  readonly partSizeBytes: number;
  private readonly client: S3Client;
  private readonly signer: S3Client;
  private readonly queueSize: number;
  private readonly label: string;

  constructor(private readonly opts: S3TargetOptions) {
    this.bucket = opts.bucket;
    this.partSizeBytes = Math.max(MIN_PART_BYTES, opts.partSizeBytes ?? DEFAULT_PART_BYTES);
    this.queueSize = Math.max(1, opts.queueSize ?? DEFAULT_QUEUE_SIZE);
    this.label = opts.label ?? `S3 bucket "${opts.bucket}"`;
    this.client = this.makeClient(opts.endpoint);
    this.signer = opts.publicEndpoint ? this.makeClient(opts.publicEndpoint) : this.client;
  }

  private makeClient(endpoint: string | undefined): S3Client {
    return new S3Client({
      region: this.opts.region,
      ...(endpoint ? { endpoint } : {}),
      forcePathStyle: this.opts.forcePathStyle ?? false,
      ...(this.opts.credentials ? { credentials: this.opts.credentials } : {}),
      // Only checksums we ask for: the SDK's default CRC32 trailers (aws-chunked) are not understood
      // by many S3-compatible stores (older Ceph RGW and MinIO, s3rver).
      requestChecksumCalculation: this.opts.checksumAlgorithm ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  /** Store failures as StorageErrors carrying the store's words. */
  error(err: unknown, what: string, signal?: AbortSignal): StorageError {
    if (err instanceof StorageError) return err;
    if (signal?.aborted || isAbortError(err)) return new StorageError('CANCELLED', 'The transfer was cancelled.', { cause: err });
    if (err instanceof S3ServiceException) {
      const status = err.$metadata?.httpStatusCode ?? 0;
      const detail = `${err.name}${status ? ` ${status}` : ''}: ${err.message || 'no message'}`.slice(0, 300);
      if (['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken'].includes(err.name) || status === 401 || status === 403) {
        return new StorageError('SITE_UNAVAILABLE', `${this.label} refused Stagecoach's credentials while ${what} (${detail}). An administrator must check the site's credentials.`, { cause: err, retryable: false });
      }
      if (err.name === 'NoSuchBucket') {
        return new StorageError('SITE_UNAVAILABLE', `${this.label} does not exist (${detail}). An administrator must check the site's configuration.`, { cause: err, retryable: false });
      }
      if (['QuotaExceeded', 'EntityTooLarge', 'XMinioStorageFull'].includes(err.name) || status === 507) {
        return new StorageError('QUOTA_EXCEEDED', `${this.label} has no space left for this file (${detail}).`, { cause: err });
      }
      // A conditional write (If-None-Match: *) found an object under the key: someone else's.
      if (err.name === 'PreconditionFailed' || status === 412) {
        return new StorageError('TARGET_EXISTS', `${this.label} already has an object there, written by someone else meanwhile; it was left untouched (${detail}).`, { cause: err });
      }
      // Two conditional writes of the same key at once: the next attempt sees who won.
      if (err.name === 'ConditionalRequestConflict') {
        return new StorageError('SITE_UNAVAILABLE', `${this.label} was writing the same key for someone else (${detail}).`, { cause: err, retryable: true });
      }
      if (err.name === 'BadDigest' || err.name === 'InvalidDigest' || /checksum/i.test(err.name)) {
        return new StorageError('CHECKSUM_MISMATCH', `${this.label} received different bytes than were sent (${detail}).`, { cause: err });
      }
      if (status >= 500 || status === 429 || err.name === 'SlowDown') {
        return new StorageError('SITE_UNAVAILABLE', `${this.label} is not available right now while ${what} (${detail}).`, { cause: err, retryable: true });
      }
      return new StorageError('TRANSFER_FAILED', `${this.label} refused ${what} (${detail}).`, { cause: err });
    }
    const code = errnoCode((err as { cause?: unknown } | null)?.cause) ?? errnoCode(err);
    if (code && /^E[A-Z]+$/.test(code)) {
      return new StorageError('SITE_UNAVAILABLE', `${this.label} cannot be reached (${code}).`, { cause: err, retryable: true });
    }
    return new StorageError('TRANSFER_FAILED', `${this.label}: ${what} failed${err instanceof Error && err.message ? ` (${err.message.slice(0, 200)})` : ''}.`, { cause: err });
  }

  /** Fails fast when the bucket cannot be used (unreachable, wrong credentials, no such bucket). */
  async checkBucket(signal?: AbortSignal): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: signal });
    } catch (err) {
      // HEAD has no body, so the SDK only knows the status: name the usual causes.
      if (err instanceof S3ServiceException && err.$metadata?.httpStatusCode === 404 && err.name !== 'NoSuchBucket') {
        throw new StorageError('SITE_UNAVAILABLE', `${this.label} does not exist (404). An administrator must check the site's configuration.`, { cause: err, retryable: false });
      }
      throw this.error(err, 'checking the bucket', signal);
    }
  }

  /** The object under `key`, or null. */
  async head(key: string, signal?: AbortSignal): Promise<S3ObjectInfo | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: signal });
      const sha = out.Metadata?.sha256?.toLowerCase() ?? null;
      return { sizeBytes: Number(out.ContentLength ?? 0), sha256: sha && /^[0-9a-f]{64}$/.test(sha) ? sha : null, etag: unquote(out.ETag) };
    } catch (err) {
      if (err instanceof S3ServiceException && (err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404)) return null;
      throw this.error(err, `looking at ${JSON.stringify(key)}`, signal);
    }
  }

  /**
   * Uploads a local file to `key` (multipart above one part size, `queueSize` parts in flight,
   * memory bounded by them) with its SHA-256 in the metadata, then checks the ETag against
   * `digest` (when both are MD5-style) and the stored size.
   *
   * Never replaces an object: the write (PutObject, CompleteMultipartUpload) is conditional on the
   * key being free (`If-None-Match: *`), so an object someone else wrote after the caller looked
   * fails it with TARGET_EXISTS. A failed check deletes the object only while it is still the one
   * this upload wrote (same ETag; see removeIfOurs): one written over it meanwhile is left alone.
   */
  async upload(localPath: string, key: string, digest: S3Digest, opts: { signal?: AbortSignal; onProgress?(bytes: number): void } = {}): Promise<void> {
    const { signal } = opts;
    signal?.throwIfAborted();
    const fh = await open(localPath, 'r').catch((err: unknown) => {
      throw sourceUnreadable(err);
    });
    const params = {
      Bucket: this.bucket,
      Key: key,
      ContentType: 'application/octet-stream',
      Metadata: { sha256: digest.sha256 },
      ...(this.opts.checksumAlgorithm ? { ChecksumAlgorithm: this.opts.checksumAlgorithm } : {}),
    };
    let etag: string | null;
    try {
      const size = digest.sizeBytes;
      if ((await fh.stat()).size !== size) throw sourceChanged();
      if (size <= this.partSizeBytes) {
        const body = await readPart(fh, Buffer.allocUnsafe(size), size, 0);
        etag = unquote((await this.client.send(new PutObjectCommand({ ...params, Body: body, ContentLength: size, IfNoneMatch: '*' }), { abortSignal: signal })).ETag);
        opts.onProgress?.(size);
      } else {
        etag = unquote(await this.putParts(fh, params, size, opts));
      }
    } catch (err) {
      throw this.error(err, `the upload of ${JSON.stringify(key)}`, signal);
    } finally {
      await fh.close();
    }
    const stored = await this.head(key, signal);
    if (stored && etag && stored.etag !== etag) {
      // Written over by someone else since our write: theirs now, not ours to check or delete.
      throw new StorageError('TARGET_EXISTS', `${this.label} has another object under ${JSON.stringify(key)}, written over this upload meanwhile; it was left untouched.`);
    }
    let problem: StorageError | null = null;
    if (!stored) problem = new StorageError('TRANSFER_FAILED', `${this.label} does not show ${JSON.stringify(key)} after the upload.`);
    else if (stored.sizeBytes !== digest.sizeBytes) problem = new StorageError('TRANSFER_FAILED', `${this.label} stored ${stored.sizeBytes} bytes instead of ${digest.sizeBytes}.`);
    else if (etag && (await etagMatches(etag, digest, localPath, signal)) === false) {
      problem = new StorageError('CHECKSUM_MISMATCH', `${this.label} received different bytes than were sent (ETag ${etag}, expected ${digest.etag}).`);
    }
    if (problem) {
      if (stored) await this.removeIfOurs(key, etag).catch(() => undefined);
      throw problem;
    }
  }

  /**
   * Deletes `key` only while it holds the object whose ETag `etag` our write got back: with
   * `If-Match` (S3 checks it atomically), after a HEAD that compares it right before (for stores
   * that ignore the header). Without an ETag to compare, the object is left in place.
   */
  private async removeIfOurs(key: string, etag: string | null): Promise<void> {
    if (!etag) return;
    const now = await this.head(key);
    if (!now || now.etag !== etag) return;
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, IfMatch: `"${etag}"` }));
    } catch (err) {
      if (err instanceof S3ServiceException && (err.name === 'PreconditionFailed' || err.$metadata?.httpStatusCode === 412)) return;
      // A store that refuses conditional deletes: the HEAD above just showed the object is ours.
      if (err instanceof S3ServiceException && (err.name === 'NotImplemented' || err.$metadata?.httpStatusCode === 501)) {
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
        return;
      }
      throw err;
    }
  }

  /**
   * The multipart upload of a file larger than one part, in parts of exactly `partSizeBytes` (the
   * last one shorter), as `digestForS3` expects them; answers the store's ETag.
   *
   * Not lib-storage's `Upload`: from a stream it gathers each part from the read chunks and copies
   * them into one buffer, so every part was allocated twice and the chunks and copies waited for
   * the GC — about 140 MB of RSS growth for 16 MiB × 4, where the parts themselves are 64 MiB.
   * Here each of the `queueSize` workers reads its parts straight from the file into one buffer
   * of its own, reused from part to part (and by the next upload, see spare-buffers): partSizeBytes
   * × queueSize, whatever the file's size.
   * The bodies stay Buffers, as with `Upload`: the SDK can retry a part, sign its payload and send
   * a flexible checksum in a header (streams would need aws-chunked trailers).
   */
  private async putParts(
    fh: FileHandle,
    params: { Bucket: string; Key: string; ChecksumAlgorithm?: 'SHA256' },
    size: number,
    opts: { signal?: AbortSignal; onProgress?(bytes: number): void },
  ): Promise<string | undefined> {
    const { signal } = opts;
    const { Bucket, Key, ChecksumAlgorithm } = params;
    const partSize = this.partSizeBytes;
    const count = Math.ceil(size / partSize);
    if (count > MAX_PARTS) {
      throw new StorageError('TRANSFER_FAILED', `The file needs ${count} parts at the site's part size, more than the ${MAX_PARTS} S3 allows; an administrator can raise partSizeBytes.`, { retryable: false });
    }
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand(params), { abortSignal: signal });
    // The first failure, or the caller's cancel, stops the parts still in flight at once.
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const parts: CompletedPart[] = [];
    const failures: unknown[] = [];
    let next = 0;
    let sent = 0;
    const worker = async () => {
      const buf = takeBuffer(partSize);
      let reusable = true;
      try {
        while (next < count && !stop.signal.aborted) {
          const n = next++;
          const body = await readPart(fh, buf, Math.min(partSize, size - n * partSize), n * partSize);
          reusable = false; // a failed request's socket may not be done with it
          const out = await this.client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: n + 1, Body: body, ContentLength: body.length, ChecksumAlgorithm }), { abortSignal: stop.signal });
          reusable = true;
          if (!out.ETag) throw new Error(`the store answered no ETag for part ${n + 1}`);
          parts[n] = { PartNumber: n + 1, ETag: out.ETag, ...(out.ChecksumSHA256 ? { ChecksumSHA256: out.ChecksumSHA256 } : {}) };
          sent += body.length;
          opts.onProgress?.(sent);
        }
      } finally {
        if (reusable) giveBackBuffer(buf);
      }
    };
    try {
      signal?.throwIfAborted();
      const workers = Array.from({ length: Math.min(this.queueSize, count) }, () =>
        worker().catch((err: unknown) => {
          failures.push(err);
          stop.abort(err);
        }),
      );
      await Promise.all(workers);
      if (failures.length > 0) throw failures[0];
      signal?.throwIfAborted();
      const out = await this.client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts }, IfNoneMatch: '*' }), { abortSignal: signal });
      return out.ETag;
    } catch (err) {
      // The parts of an unfinished upload stay in the bucket (and are billed) until it is aborted.
      await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => undefined);
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Multipart uploads of exactly `key` that were started and neither completed nor aborted. */
  async pendingUploads(key: string, signal?: AbortSignal): Promise<{ uploadId: string; initiated: Date | null }[]> {
    const found: { uploadId: string; initiated: Date | null }[] = [];
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    try {
      for (;;) {
        const out = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: key, ...markers }), { abortSignal: signal });
        for (const u of out.Uploads ?? []) if (u.Key === key && u.UploadId) found.push({ uploadId: u.UploadId, initiated: u.Initiated ?? null });
        if (!out.IsTruncated) return found;
        markers = { KeyMarker: out.NextKeyMarker, UploadIdMarker: out.NextUploadIdMarker };
      }
    } catch (err) {
      throw this.error(err, `listing the unfinished uploads of ${JSON.stringify(key)}`, signal);
    }
  }

  /**
   * Aborts the unfinished multipart uploads of exactly `key` (what an upload killed with its
   * process, or cancelled before it knew its upload id, leaves billed in the bucket); returns how
   * many. Another upload of the same key still in progress would be aborted too: callers use it
   * for keys only they write.
   */
  async abortPendingUploads(key: string, signal?: AbortSignal): Promise<number> {
    const pending = await this.pendingUploads(key, signal);
    for (const { uploadId } of pending) {
      try {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }), { abortSignal: signal });
      } catch (err) {
        if (err instanceof S3ServiceException && (err.name === 'NoSuchUpload' || err.$metadata?.httpStatusCode === 404)) continue;
        throw this.error(err, `aborting an unfinished upload of ${JSON.stringify(key)}`, signal);
      }
    }
    return pending.length;
  }

  async remove(key: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: signal });
    } catch (err) {
      throw this.error(err, `deleting ${JSON.stringify(key)}`, signal);
    }
  }

  /** A GET link for `key` valid `expiresInSeconds` (SigV4 allows at most 7 days); signed locally, no request. */
  presignGet(key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.signer, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: Math.min(expiresInSeconds, 604_800) });
  }

  /** Closes the clients' connections. */
  destroy(): void {
    this.client.destroy();
    if (this.signer !== this.client) this.signer.destroy();
  }
}
