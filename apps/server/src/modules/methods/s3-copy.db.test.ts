/** S3_COPY against a real S3 server (s3rver on loopback), through GraphQL with a real API token. */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { S3Target } from '@stagecoach/storage/s3';
import { startS3rver, type S3Peer } from '@stagecoach/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, userWithToken, waitForRequest, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';

let s3: S3Peer;
let db: TestDatabase;
let server: TestServer;
let dir: string;
let archive: string;
let bucket: S3Target;
let alice: { id: string; email: string; token: string };
let bob: { id: string; email: string; token: string };

const MIB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const fileSha = async (p: string) => sha256(await fs.readFile(p));

const STAGE = `mutation($input: StageInput!) { stage(input: $input) { id status filesTotal } }`;
const FILES = `query($id: ID!) { stagingRequest(id: $id) { status files(first: 100) { nodes { source target status checksum accessUrl error { code message } } } } }`;

interface FileNode {
  source: string;
  target: string;
  status: string;
  checksum: string | null;
  accessUrl: string | null;
  error: { code: string; message: string } | null;
}

async function stageAndWait(token: string, input: Record<string, unknown>) {
  const res = await server.gql<{ stage: { id: string } }>(STAGE, { input }, token);
  expect(res.errors).toBeUndefined();
  const id = res.data!.stage.id;
  await waitForRequest(server, token, id, 'status', 60_000);
  const files = await server.gql<{ stagingRequest: { status: string; files: { nodes: FileNode[] } } }>(FILES, { id }, token);
  return { id, ...files.data!.stagingRequest };
}

beforeAll(async () => {
  s3 = await startS3rver({ buckets: ['stage'] });
  db = await createTestDatabase();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-s3-copy-'));
  archive = path.join(dir, 'archive');
  await fs.mkdir(path.join(archive, 'set'), { recursive: true });
  await fs.mkdir(path.join(dir, 'users'));
  await fs.writeFile(path.join(archive, 'set', 'big.bin'), randomBytes(12 * MIB)); // 3 parts of 5 MiB
  await fs.writeFile(path.join(archive, 'set', 'small.txt'), 'hello object storage\n');
  await fs.writeFile(path.join(archive, 'set', 'empty'), Buffer.alloc(0));
  await fs.writeFile(path.join(dir, 's3-secret'), `${s3.secretAccessKey}\n`);
  const site = (id: string, keyVariable: string, extra = '') =>
    `  - { id: ${id}, kind: S3, endpoint: "${s3.endpoint}", bucket: stage, forcePathStyle: true, prefix: "users/{username}/", partSizeBytes: ${5 * MIB}, queueSize: 2, linkValidity: PT1H, credentials: { accessKeyId: { env: ${keyVariable} }, secretAccessKey: { file: s3-secret } }${extra} }`;
  await fs.writeFile(
    path.join(dir, 'sites.yaml'),
    [
      'sites:',
      '  - { id: archive, kind: POSIX, root: archive, roles: [source], default: true }',
      '  - { id: users, kind: POSIX, root: users, roles: [target] }',
      site('objects', 'TEST_S3_ACCESS_KEY', ', default: true'),
      // s3rver checks access key ids but not SigV4 signatures, so the wrong credential is the key id.
      site('badcreds', 'TEST_S3_WRONG_KEY'),
    ].join('\n'),
  );
  // The access key comes from the environment (by name), the secret key from a file.
  server = await startTestServer(db.orm, { SITES_FILE: path.join(dir, 'sites.yaml'), TEST_S3_ACCESS_KEY: s3.accessKeyId, TEST_S3_WRONG_KEY: 'NOT-A-KEY' }, { dbUrl: db.url });
  alice = await userWithToken(db.orm, { email: 'alice@example.org' });
  bob = await userWithToken(db.orm, { email: 'bob@example.org' });
  bucket = new S3Target({ endpoint: s3.endpoint, region: s3.region, bucket: 'stage', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
}, 120_000);

afterAll(async () => {
  bucket?.destroy();
  await s3?.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('stage with S3_COPY', () => {
  it('uploads three files (one multipart) under the user prefix with matching checksums and working presigned links', async () => {
    const r = await stageAndWait(alice.token, { method: 'S3_COPY', items: [{ source: 'set' }] });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.files.nodes).toHaveLength(3);
    for (const f of r.files.nodes) {
      const local = await fileSha(path.join(archive, f.source));
      expect(f).toMatchObject({ status: 'DONE', checksum: local });
      const head = await bucket.head(`users/alice/${f.target}`);
      expect(head).toMatchObject({ sizeBytes: (await fs.stat(path.join(archive, f.source))).size, sha256: local });
      expect(f.accessUrl).toMatch(/X-Amz-Expires=3600/);
      const res = await fetch(f.accessUrl!);
      expect(res.status).toBe(200);
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(local);
    }
  }, 120_000);

  it('skips objects that exist with the same size and checksum', async () => {
    const r = await stageAndWait(alice.token, { method: 'S3_COPY', items: [{ source: 'set' }] });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.files.nodes.map((f) => f.status)).toEqual(['SKIPPED', 'SKIPPED', 'SKIPPED']);
    expect(r.files.nodes.every((f) => f.accessUrl)).toBe(true);
  }, 60_000);

  it('fails with TARGET_EXISTS when a different object is there and leaves it untouched', async () => {
    const other = path.join(dir, 'other');
    await fs.writeFile(other, 'someone else');
    const { digestForS3 } = await import('@stagecoach/storage/s3');
    await bucket.upload(other, 'users/alice/mine/small.txt', await digestForS3(other, 5 * MIB));
    const r = await stageAndWait(alice.token, { method: 'S3_COPY', items: [{ source: 'set/small.txt', target: 'mine/small.txt' }, { source: 'set/empty', target: 'mine/empty' }] });
    expect(r.status).toBe('PARTIALLY_SUCCEEDED');
    expect(r.files.nodes[0]).toMatchObject({ status: 'FAILED', error: { code: 'TARGET_EXISTS', message: expect.stringContaining('different content') } });
    expect(r.files.nodes[1]!.status).toBe('DONE');
    expect((await bucket.head('users/alice/mine/small.txt'))!.sha256).toBe(sha256(Buffer.from('someone else')));
  }, 60_000);

  it("keeps users apart: another user's files land under their own prefix", async () => {
    const r = await stageAndWait(bob.token, { method: 'S3_COPY', items: [{ source: 'set/small.txt', target: 'mine/small.txt' }] });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.files.nodes[0]!.status).toBe('DONE');
    expect((await bucket.head('users/bob/mine/small.txt'))!.sha256).toBe(await fileSha(path.join(archive, 'set', 'small.txt')));
  }, 60_000);

  it('fails with SITE_UNAVAILABLE when the store refuses the credentials', async () => {
    const r = await stageAndWait(alice.token, { method: 'S3_COPY', targetSiteId: 'badcreds', items: [{ source: 'set/small.txt', target: 'bad/small.txt' }] });
    expect(r.status).toBe('FAILED');
    expect(r.files.nodes[0]!.error).toEqual({ code: 'SITE_UNAVAILABLE', message: expect.stringMatching(/refused Stagecoach's credentials/) });
  }, 60_000);

  it("counts the user's bytes on the bucket against their byte quota, for new requests and for retries", async () => {
    const admin = await userWithToken(db.orm, { email: 'root@example.org', role: 'ADMIN' });
    const dave = await userWithToken(db.orm, { email: 'dave@example.org' });
    const small = (await fs.stat(path.join(archive, 'set', 'small.txt'))).size; // 21 bytes
    const quota = await server.gql(`mutation($u: ID!) { setUserQuota(userId: $u, siteId: "objects", maxBytes: ${2 * small + 10}) { activeRequests } }`, { u: dave.id }, admin.token);
    expect(quota.errors).toBeUndefined();

    // A request that fails holds nothing; two that succeed hold 2 × 21 of the 52 bytes.
    const other = path.join(dir, 'other-dave');
    await fs.writeFile(other, 'not the same bytes');
    const { digestForS3 } = await import('@stagecoach/storage/s3');
    await bucket.upload(other, 'users/dave/q/taken.txt', await digestForS3(other, 5 * MIB));
    const failed = await stageAndWait(dave.token, { method: 'S3_COPY', items: [{ source: 'set/small.txt', target: 'q/taken.txt' }] });
    expect(failed.files.nodes[0]!.error?.code).toBe('TARGET_EXISTS');
    for (const n of [1, 2]) expect((await stageAndWait(dave.token, { method: 'S3_COPY', items: [{ source: 'set/small.txt', target: `q/${n}.txt` }] })).status).toBe('SUCCEEDED');

    const refused = await server.gql(STAGE, { input: { method: 'S3_COPY', items: [{ source: 'set/small.txt', target: 'q/3.txt' }] } }, dave.token);
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'QUOTA_EXCEEDED', quota: 'BYTES', siteId: 'objects', used: 2 * small, limit: 2 * small + 10, requested: small });
    const me = await server.gql<{ me: { quota: { sites: { siteId: string; usedBytes: number }[] } } }>(`{ me { quota { sites { siteId usedBytes } } } }`, undefined, dave.token);
    expect(me.data!.me.quota.sites.find((q) => q.siteId === 'objects')!.usedBytes).toBe(2 * small);

    // Retrying the failed file would put 21 more bytes on the bucket: refused, and nothing re-queued.
    await bucket.remove('users/dave/q/taken.txt');
    const retry = await server.gql(`mutation($id: ID!) { retryStagingRequest(id: $id) { status } }`, { id: failed.id }, dave.token);
    expect(retry.errors?.[0]?.extensions).toMatchObject({ code: 'QUOTA_EXCEEDED', quota: 'BYTES', used: 2 * small, requested: small });
    const after = await server.gql<{ stagingRequest: { status: string; files: { nodes: FileNode[] } } }>(FILES, { id: failed.id }, dave.token);
    expect(after.data!.stagingRequest.status).toBe('FAILED');
    expect(after.data!.stagingRequest.files.nodes[0]!.status).toBe('FAILED');
    expect(await bucket.head('users/dave/q/taken.txt')).toBeNull();
  }, 60_000);

  it('rejects a key longer than S3 allows before queuing', async () => {
    const long = `${'d'.repeat(200)}/`.repeat(6) + 'x'; // fine for POSIX (4096), too long for S3 (1024)
    const res = await server.gql(STAGE, { input: { method: 'S3_COPY', items: [{ source: 'set/small.txt', target: long }] } }, alice.token);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.items).toEqual([expect.objectContaining({ message: expect.stringContaining("longer than S3's 1024 bytes") })]);
  });
});
