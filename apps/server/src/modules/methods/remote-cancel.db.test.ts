/**
 * A remote-target request cancelled after its worker died: the job that runs again must end the
 * files CANCELLED and remove what the dead worker's transfers left on the remote site, against
 * the real peers (s3rver, Debian's JupyterHub).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateMultipartUploadCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { S3Target } from '@stagecoach/storage/s3';
import { startJupyterHub, startS3rver, type JupyterHubPeer, type S3Peer } from '@stagecoach/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, userWithToken, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { STAGE_BATCH } from '../staging/stage-commits';
import { StagedFile } from '../staging/staged-file.entity';
import { StagingRequest } from '../staging/staging-request.entity';
import { createStageBatchTask } from '../staging/staging.worker';

const MIB = 1024 * 1024;
let s3: S3Peer;
let hub: JupyterHubPeer;
let db: TestDatabase;
let server: TestServer;
let dir: string;
let bucket: S3Target;
let gina: { id: string; token: string };

beforeAll(async () => {
  [s3, hub] = await Promise.all([startS3rver({ buckets: ['stage'] }), startJupyterHub()]);
  db = await createTestDatabase();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-remote-cancel-'));
  await fs.mkdir(path.join(dir, 'archive'), { recursive: true });
  await fs.writeFile(path.join(dir, 'archive', 'big.bin'), randomBytes(12 * MIB));
  await fs.writeFile(path.join(dir, 'archive', 'huge.bin'), randomBytes(96 * MIB)); // 24 chunks of 4 MiB to Jupyter: time to cancel mid-way
  await fs.writeFile(path.join(dir, 's3-secret'), s3.secretAccessKey);
  await fs.writeFile(
    path.join(dir, 'sites.yaml'),
    [
      'sites:',
      '  - { id: archive, kind: POSIX, root: archive, roles: [source], default: true }',
      `  - { id: objects, kind: S3, endpoint: "${s3.endpoint}", bucket: stage, forcePathStyle: true, prefix: "users/{username}/", partSizeBytes: ${5 * MIB}, credentials: { accessKeyId: { env: TEST_S3_ACCESS_KEY }, secretAccessKey: { file: s3-secret } } }`,
      `  - { id: hub, kind: JUPYTERHUB, url: "${hub.url}", token: { file: "${hub.tokenFile}" }, spawnTimeoutSeconds: 120 }`,
    ].join('\n'),
  );
  // No job runner: nothing follows a request but the job a test runs itself.
  server = await startTestServer(db.orm, { SITES_FILE: path.join(dir, 'sites.yaml'), TEST_S3_ACCESS_KEY: s3.accessKeyId }, { dbUrl: db.url, worker: false });
  gina = await userWithToken(db.orm, { email: 'gina@example.org', emailVerified: true });
  await hub.createUser('gina');
  bucket = new S3Target({ endpoint: s3.endpoint, region: s3.region, bucket: 'stage', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
}, 600_000);

afterAll(async () => {
  bucket?.destroy();
  await Promise.all([s3?.stop(), hub?.stop()]);
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

async function stageOne(method: 'S3_COPY' | 'JUPYTER_COPY', source: string, target: string): Promise<{ id: string; fileId: string }> {
  const staged = await server.gql<{ stage: { id: string } }>(`mutation($input: StageInput!) { stage(input: $input) { id } }`, { input: { method, items: [{ source, target }] } }, gina.token);
  expect(staged.errors).toBeUndefined();
  const id = staged.data!.stage.id;
  const file = await db.orm.em.fork().findOneOrFail(StagedFile, { request: id });
  return { id, fileId: file.id };
}

const runJob = (id: string, fileId: string) =>
  createStageBatchTask(server.container)[STAGE_BATCH.task]!({ requestId: id, fileIds: [fileId] }, { logger: { error: () => undefined }, job: { locked_by: 'next-worker' } } as never);

const cancel = async (id: string) => {
  const cancelled = await server.gql<{ cancelStagingRequest: { status: string } }>(`mutation($id: ID!) { cancelStagingRequest(id: $id) { status } }`, { id }, gina.token);
  expect(cancelled.data?.cancelStagingRequest.status).toBe('CANCELLED');
};

/** Stages one file and leaves the state a killed worker leaves: request and file RUNNING. */
async function stageThenKillWorker(method: 'S3_COPY' | 'JUPYTER_COPY', target: string): Promise<{ id: string; fileId: string }> {
  const { id, fileId } = await stageOne(method, 'big.bin', target);
  const em = db.orm.em.fork();
  const file = await em.findOneOrFail(StagedFile, { id: fileId });
  await em.nativeUpdate(StagingRequest, { id }, { status: 'RUNNING', startedAt: new Date() });
  await em.nativeUpdate(StagedFile, { id: file.id }, { status: 'RUNNING', startedAt: new Date(), bytesDone: 5 * MIB, workerId: 'dead-worker', attempts: 1 });
  return { id, fileId: file.id };
}

/** Cancels the request, then runs its job again as graphile-worker does once the dead worker's lock is released. */
async function cancelAndRerun(id: string, fileId: string): Promise<StagedFile> {
  await cancel(id);
  await runJob(id, fileId);
  return db.orm.em.fork().findOneOrFail(StagedFile, { id: fileId });
}

describe('a remote-target request cancelled after its worker died', () => {
  it('aborts the S3 multipart upload its file left in the bucket', async () => {
    const { id, fileId } = await stageThenKillWorker('S3_COPY', 'left/big.bin');
    // The dead worker's upload: started, one part sent, never completed.
    const key = 'users/gina/left/big.bin';
    const client = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'stage', Key: key }));
    await client.send(new UploadPartCommand({ Bucket: 'stage', Key: key, UploadId, PartNumber: 1, Body: randomBytes(5 * MIB) }));
    client.destroy();
    expect(await bucket.pendingUploads(key)).toHaveLength(1);

    const after = await cancelAndRerun(id, fileId);
    expect(after).toMatchObject({ status: 'CANCELLED', errorCode: 'CANCELLED' });
    expect(await bucket.pendingUploads(key)).toEqual([]);
    expect(await bucket.head(key)).toBeNull();
  }, 120_000);

  it('removes the Jupyter part file its file left beside the target', async () => {
    const { id, fileId } = await stageThenKillWorker('JUPYTER_COPY', 'left/big.bin');
    // The dead worker's upload: the first chunks under the part name of this file.
    const folder = path.join(hub.home('gina'), 'staged', 'left');
    await fs.mkdir(folder, { recursive: true });
    const part = path.join(folder, `big.bin.stagecoach-${fileId.slice(0, 8)}.part`);
    await fs.writeFile(part, randomBytes(4 * MIB));

    const after = await cancelAndRerun(id, fileId);
    expect(after).toMatchObject({ status: 'CANCELLED', errorCode: 'CANCELLED' });
    // Jupyter keeps its own `.ipynb_checkpoints` there; no part file is left.
    expect((await fs.readdir(folder)).filter((n) => n.includes('.stagecoach-'))).toEqual([]);
  }, 300_000);
});

describe('an S3_COPY file rerun after its worker died', () => {
  it('aborts the upload the dead worker left before it uploads again', async () => {
    const { id, fileId } = await stageThenKillWorker('S3_COPY', 'rerun/big.bin');
    const key = 'users/gina/rerun/big.bin';
    const client = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    await client.send(new CreateMultipartUploadCommand({ Bucket: 'stage', Key: key }));
    client.destroy();
    await runJob(id, fileId);
    expect(await db.orm.em.fork().findOneOrFail(StagedFile, { id: fileId })).toMatchObject({ status: 'DONE' });
    expect(await bucket.pendingUploads(key)).toEqual([]);
    expect(await bucket.head(key)).toMatchObject({ sizeBytes: 12 * MIB });
  }, 120_000);
});

describe('a JUPYTER_COPY request cancelled while it uploads', () => {
  it('ends the file CANCELLED and leaves neither its part file nor the target in the home', async () => {
    const { id, fileId } = await stageOne('JUPYTER_COPY', 'huge.bin', 'live/huge.bin');
    const folder = path.join(hub.home('gina'), 'staged', 'live');
    const job = runJob(id, fileId);
    // Cancel once the first chunks are on the server.
    for (;;) {
      const names = await fs.readdir(folder).catch(() => [] as string[]);
      if (names.some((n) => n.endsWith('.part'))) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await cancel(id);
    await job;
    expect(await db.orm.em.fork().findOneOrFail(StagedFile, { id: fileId })).toMatchObject({ status: 'CANCELLED' });
    expect((await fs.readdir(folder)).filter((n) => !n.startsWith('.'))).toEqual([]);
  }, 300_000);
});
