import fs from 'node:fs/promises';
import path from 'node:path';
import { copyFileAtomic } from '@stagecoach/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { startTestServer, userWithToken, type TestServer } from '../../../test/app';
import { STAGE_BATCH } from './stage-commits';
import { StagedFile } from './staged-file.entity';
import { StagingRequest } from './staging-request.entity';
import { createStageBatchTask } from './staging.worker';

let db: TestDatabase;
let server: TestServer;
const stopCopies: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  // No job runner: nothing follows the request but the job this test runs itself.
  server = await startTestServer(db.orm, {}, { dbUrl: db.url, worker: false });
  await fs.mkdir(path.join(server.dataDir, 'sites', 'archive', 'set'), { recursive: true });
  await fs.writeFile(path.join(server.dataDir, 'sites', 'archive', 'set', 'big.bin'), Buffer.alloc(200_000, 7));
});

afterAll(async () => {
  await Promise.all(stopCopies.map((stop) => stop()));
});

const usedBytes = async (token: string) =>
  (await server.gql<{ me: { quota: { sites: { usedBytes: number }[] } } }>(`{ me { quota { sites { usedBytes } } } }`, undefined, token)).data!.me.quota.sites[0]!.usedBytes;

describe('a request cancelled after its worker died', () => {
  it('ends its running file CANCELLED, sweeps the partial copy and frees the quota when the job runs again', async () => {
    const dora = await userWithToken(db.orm, { email: 'dora@example.org' });
    const staged = await server.gql<{ stage: { id: string } }>(`mutation { stage(input: { method: LOCAL_COPY, items: [{ source: "set/big.bin" }] }) { id } }`, undefined, dora.token);
    const id = staged.data!.stage.id;
    const em = db.orm.em.fork();
    const file = await em.findOneOrFail(StagedFile, { request: id });

    // The state a killed worker leaves: request and file RUNNING, and a partial copy in the area
    // under the temporary name the copy of this very file uses (a copy stopped mid-way).
    await em.nativeUpdate(StagingRequest, { id }, { status: 'RUNNING', startedAt: new Date() });
    await em.nativeUpdate(StagedFile, { id: file.id }, { status: 'RUNNING', startedAt: new Date(), bytesDone: 4096, workerId: 'dead-worker', attempts: 1 });
    const target = path.join(server.dataDir, 'sites', 'users', 'dora', 'set', 'big.bin');
    const dead = new AbortController();
    const copy = copyFileAtomic(path.join(server.dataDir, 'sites', 'archive', 'set', 'big.bin'), target, { owner: file.id, signal: dead.signal, pauseAfterBytes: 1 });
    stopCopies.push(() => (dead.abort(), copy.catch(() => undefined)));
    let temps: string[] = [];
    while (temps.length === 0) {
      temps = await fs.readdir(path.dirname(target)).catch(() => []);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(temps).toEqual([expect.stringMatching(/^\.big\.bin\.stagecoach-.*\.tmp$/)]);
    expect(await usedBytes(dora.token)).toBe(200_000);

    const cancelled = await server.gql<{ cancelStagingRequest: { status: string } }>(`mutation($id: ID!) { cancelStagingRequest(id: $id) { status } }`, { id }, dora.token);
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data!.cancelStagingRequest.status).toBe('CANCELLED');

    // graphile-worker hands the dead worker's job on; it runs again and finds the request cancelled.
    await createStageBatchTask(server.container)[STAGE_BATCH.task]!({ requestId: id, fileIds: [file.id] }, { logger: { error: () => undefined }, job: { locked_by: 'next-worker' } } as never);

    const after = await db.orm.em.fork().findOneOrFail(StagedFile, { id: file.id });
    expect(after.status).toBe('CANCELLED');
    expect(after.finishedAt).not.toBeNull();
    expect(await fs.readdir(path.dirname(target))).toEqual([]);
    expect(await usedBytes(dora.token)).toBe(0);
  });
});
