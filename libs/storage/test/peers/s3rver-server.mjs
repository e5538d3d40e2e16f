// s3rver (npm, the S3 server the tests run against) with the S3 operations its version 3.7.1 lacks
// and Stagecoach relies on, implemented as S3 documents them, on s3rver's own object store:
// - ListMultipartUploads (GET /<bucket>?uploads[&prefix=]) and AbortMultipartUpload
//   (DELETE /<bucket>/<key>?uploadId=), which s3rver refuses (NotImplemented, MethodNotAllowed);
// - CompleteMultipartUpload of an unknown or aborted upload answers NoSuchUpload (s3rver: a 500);
// - conditional writes: `If-None-Match: *` on PutObject and CompleteMultipartUpload fails with
//   412 PreconditionFailed when the key exists, and `If-Match: <etag>` on DeleteObject when the
//   object's ETag is another (s3rver ignores both headers and overwrites or deletes).
// The check and the write are not atomic here (one process, one test at a time), unlike in S3.
//
// Usage: node s3rver-server.mjs <directory> <bucket>... ; prints "listening on 127.0.0.1:<port>".
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');
const S3Error = require(path.join(path.dirname(require.resolve('s3rver/package.json')), 'lib', 'models', 'error.js'));

const [directory, ...buckets] = process.argv.slice(2);
const app = new S3rver({ directory, address: '127.0.0.1', port: 0, silent: true, vhostBuckets: false, configureBuckets: buckets.map((name) => ({ name, configs: [] })) });

const uploadsDir = (store, bucket) => store.getResourcePath(bucket, undefined, 'uploads');
const unquote = (etag) => String(etag ?? '').replace(/^(W\/)?"|"$/g, '');

async function listUploads(store, bucket, prefix) {
  const dir = uploadsDir(store, bucket);
  const ids = await fs.readdir(dir).catch(() => []);
  const uploads = [];
  for (const id of ids) {
    const key = await fs.readFile(path.join(dir, id, 'key'), 'utf8').catch(() => null);
    if (key === null || !key.startsWith(prefix)) continue;
    const { birthtime } = await fs.stat(path.join(dir, id));
    uploads.push({ Key: key, UploadId: id, Initiated: birthtime.toISOString() });
  }
  return uploads.sort((a, b) => (a.Key === b.Key ? a.Initiated.localeCompare(b.Initiated) : a.Key < b.Key ? -1 : 1));
}

async function extensions(ctx, next) {
  const [, bucket, ...rest] = ctx.path.split('/');
  const key = rest.map(decodeURIComponent).join('/');
  const { store } = ctx;
  if (!bucket || !(await store.getBucket(bucket))) return next();
  if (!key) {
    if (ctx.method === 'GET' && 'uploads' in ctx.query) {
      const prefix = String(ctx.query.prefix ?? '');
      const Upload = await listUploads(store, bucket, prefix);
      ctx.body = { ListMultipartUploadsResult: { Bucket: bucket, KeyMarker: '', UploadIdMarker: '', Prefix: prefix, MaxUploads: 1000, IsTruncated: false, Upload } };
      return;
    }
    return next();
  }
  const uploadId = ctx.query.uploadId;
  if (uploadId !== undefined) {
    const dir = path.join(uploadsDir(store, bucket), String(uploadId));
    const known = (await fs.readFile(path.join(dir, 'key'), 'utf8').catch(() => null)) === key;
    if (!known && (ctx.method === 'DELETE' || ctx.method === 'POST' || ctx.method === 'PUT')) {
      throw new S3Error('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: uploadId });
    }
    if (ctx.method === 'DELETE') {
      await fs.rm(dir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
  }
  const writes = (ctx.method === 'PUT' && uploadId === undefined && !('x-amz-copy-source' in ctx.headers)) || (ctx.method === 'POST' && uploadId !== undefined);
  if (writes && ctx.headers['if-none-match'] === '*' && (await store.existsObject(bucket, key))) {
    throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' });
  }
  const ifMatch = ctx.headers['if-match'];
  if (ctx.method === 'DELETE' && uploadId === undefined && ifMatch) {
    const metadata = await store.getMetadata(bucket, key).catch(() => null);
    if (!metadata) throw new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: key });
    if (unquote(metadata.etag) !== unquote(ifMatch)) {
      throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' });
    }
  }
  return next();
}

// Before s3rver's router (its last middleware), after its logging, XML encoding and error handling.
app.middleware.splice(app.middleware.length - 1, 0, extensions);
const { address, port } = await app.run();
console.log(`listening on ${address}:${port}`);
const stop = () => app.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
