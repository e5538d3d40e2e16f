import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startS3rver, type S3Peer } from '../test/peers';
import { StorageError } from './errors';
import { digestForS3, etagMatches, MIN_PART_BYTES, S3Target } from './s3';

let s3: S3Peer;
let dir: string;
let target: S3Target;
const PART = MIN_PART_BYTES;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  s3 = await startS3rver({ buckets: ['stage'] });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-s3-test-'));
  target = new S3Target({ endpoint: s3.endpoint, region: s3.region, bucket: 'stage', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, partSizeBytes: PART, queueSize: 2 });
});

afterAll(async () => {
  target?.destroy();
  await s3?.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

async function file(name: string, bytes: Buffer): Promise<string> {
  const p = path.join(dir, name);
  await fs.writeFile(p, bytes);
  return p;
}

describe('digestForS3', () => {
  it('gives a single-part file the MD5 of its bytes as ETag', async () => {
    const bytes = randomBytes(1000);
    const d = await digestForS3(await file('one.bin', bytes), PART);
    expect(d).toEqual({ sizeBytes: 1000, sha256: sha256(bytes), etag: createHash('md5').update(bytes).digest('hex') });
  });

  it('gives a multipart file the MD5 of its part MD5s with the part count', async () => {
    const bytes = randomBytes(2 * PART + 123);
    const parts = [bytes.subarray(0, PART), bytes.subarray(PART, 2 * PART), bytes.subarray(2 * PART)];
    const md5s = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()));
    const d = await digestForS3(await file('three.bin', bytes), PART);
    expect(d.etag).toBe(`${createHash('md5').update(md5s).digest('hex')}-3`);
    expect(d.sha256).toBe(sha256(bytes));
  });
});

describe('S3Target', () => {
  it('uploads a multipart file that the store keeps byte-identical, with its sha256 and a fitting ETag', async () => {
    const bytes = randomBytes(PART * 2 + 4096);
    const p = await file('multi.bin', bytes);
    const digest = await digestForS3(p, PART);
    const progress: number[] = [];
    await target.upload(p, 'alice/multi.bin', digest, { onProgress: (b) => progress.push(b) });
    const info = await target.head('alice/multi.bin');
    expect(info).toMatchObject({ sizeBytes: bytes.length, sha256: digest.sha256 });
    // s3rver answers the MD5 of the whole object, AWS/RGW/MinIO the MD5 of the part MD5s: both fit.
    expect(await etagMatches(info!.etag!, digest, p)).toBe(true);
    expect(await etagMatches(createHash('md5').update('other').digest('hex'), digest, p)).toBe(false);
    expect(progress.at(-1)).toBe(bytes.length);

    const url = await target.presignGet('alice/multi.bin', 3600);
    expect(url).toContain('X-Amz-Expires=3600');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(digest.sha256);
  });

  it('uploads a small and an empty file in one PUT', async () => {
    for (const [name, bytes] of [['small.txt', Buffer.from('hello')], ['empty', Buffer.alloc(0)]] as const) {
      const p = await file(name, bytes);
      const digest = await digestForS3(p, PART);
      await target.upload(p, `alice/${name}`, digest);
      expect(await target.head(`alice/${name}`)).toEqual({ sizeBytes: bytes.length, sha256: sha256(bytes), etag: digest.etag });
    }
  });

  it('answers null for a missing key', async () => {
    expect(await target.head('alice/none')).toBeNull();
  });

  it('reports refused credentials as SITE_UNAVAILABLE that retrying does not fix', async () => {
    const bad = new S3Target({ endpoint: s3.endpoint, region: s3.region, bucket: 'stage', forcePathStyle: true, credentials: { accessKeyId: 'nobody', secretAccessKey: 'wrong' } });
    const err = await bad.checkBucket().catch((e: unknown) => e);
    bad.destroy();
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ code: 'SITE_UNAVAILABLE', retryable: false });
    expect((err as Error).message).toMatch(/refused Stagecoach's credentials/);
  });

  it('reports a missing bucket as SITE_UNAVAILABLE', async () => {
    const none = new S3Target({ endpoint: s3.endpoint, region: s3.region, bucket: 'nope', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    const err = await none.checkBucket().catch((e: unknown) => e);
    none.destroy();
    expect(err).toMatchObject({ code: 'SITE_UNAVAILABLE', retryable: false });
  });

  it('reports an unreachable store as SITE_UNAVAILABLE worth retrying', async () => {
    const gone = new S3Target({ endpoint: `http://127.0.0.1:${await freePort()}`, region: 'us-east-1', bucket: 'stage', forcePathStyle: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const err = await gone.head('x').catch((e: unknown) => e);
    gone.destroy();
    expect(err).toMatchObject({ code: 'SITE_UNAVAILABLE', retryable: true });
  });

  it('stops an upload when cancelled and leaves no object', async () => {
    const bytes = randomBytes(PART * 3);
    const p = await file('cancel.bin', bytes);
    const digest = await digestForS3(p, PART);
    const controller = new AbortController();
    const err = await target.upload(p, 'alice/cancel.bin', digest, { signal: controller.signal, onProgress: () => controller.abort() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CANCELLED' });
    expect(await target.head('alice/cancel.bin')).toBeNull();
    // Its parts are not left billed in the bucket either.
    expect(await target.pendingUploads('alice/cancel.bin')).toEqual([]);
  });
});
