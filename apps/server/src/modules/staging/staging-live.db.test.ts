import fs from 'node:fs/promises';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { startTestServer, userWithToken, type TestServer } from '../../../test/app';
import type { RequestSnapshot } from '../../lib/pubsub';
import { StagingRequest } from './staging-request.entity';

// stagingRequestUpdated treats a live event as "this request changed" only: what it sends is read
// again from the database, as the subscriber may see it.

let db: TestDatabase;
let server: TestServer;
let owner: { id: string; token: string };
let stranger: { id: string; token: string };

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm, { ALLOWED_METHODS: 'LOCAL_COPY,DIRECT_DOWNLOAD' }); // no worker: requests stay QUEUED unless moved
  await fs.mkdir(path.join(server.dataDir, 'sites', 'archive', 'live'), { recursive: true });
  await fs.writeFile(path.join(server.dataDir, 'sites', 'archive', 'live', 'secret-plan.txt'), 'plan');
  owner = await userWithToken(db.orm, { email: 'owner.live@example.org' });
  stranger = await userWithToken(db.orm, { email: 'stranger.live@example.org' });
});

async function stage(token: string, method: string, target: string): Promise<string> {
  const res = await server.gql<{ stage: { id: string } }>(
    `mutation($i: StageInput!) { stage(input: $i) { id } }`,
    { i: { method, items: [{ source: 'live/secret-plan.txt', target }] } },
    token,
  );
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.stage.id;
}

type Update = {
  id: string;
  status: string;
  downloadUrl: string | null;
  files: { nodes: { source: string; downloadUrl: string | null }[] };
};

/** Subscribes; collects what arrives (errors included) until stopped. */
function watch(token: string, id: string) {
  const client = createClient({
    url: server.url.replace('http', 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  const seen: { data?: { stagingRequestUpdated: Update } | null; errors?: unknown }[] = [];
  const stop = client.subscribe(
    {
      query:
        'subscription($id: ID!) { stagingRequestUpdated(id: $id) { id status downloadUrl files { nodes { source downloadUrl } } } }',
      variables: { id },
    },
    { next: (r) => void seen.push(r as never), error: (e) => void seen.push({ errors: e }), complete: () => undefined },
  );
  return {
    seen,
    stop: async () => {
      stop();
      await client.dispose();
    },
  };
}

const forged = (base: RequestSnapshot, over: Partial<RequestSnapshot>): RequestSnapshot => ({ ...base, ...over });

describe('stagingRequestUpdated: the event is only a trigger', () => {
  it('sends the request as stored, not a forged payload naming someone else’s request or a finished download', async () => {
    const mine = await stage(owner.token, 'LOCAL_COPY', 'live/mine.txt');
    const theirs = await stage(stranger.token, 'DIRECT_DOWNLOAD', 'live/theirs.txt');
    await db.orm.em
      .fork()
      .nativeUpdate(
        StagingRequest,
        { id: theirs },
        { status: 'SUCCEEDED', finishedAt: new Date(), expiresAt: new Date(Date.now() + 86_400_000) },
      );
    const w = watch(owner.token, mine);
    await expect.poll(() => w.seen.length).toBe(1);
    const first = w.seen[0]!.data!.stagingRequestUpdated;
    expect(first).toMatchObject({ id: mine, status: 'QUEUED', downloadUrl: null });

    // Published on the owner's topic: the stranger's request id, a finished download, far in the future.
    const base: RequestSnapshot = {
      id: theirs,
      ownerId: owner.id,
      method: 'DIRECT_DOWNLOAD',
      status: 'SUCCEEDED',
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      filesTotal: 1,
      filesDone: 1,
      filesSkipped: 0,
      filesFailed: 0,
      filesCancelled: 0,
      bytesTotal: 4,
      bytesDone: 4,
      linkVersion: 0,
    };
    server.container.pubsub.publish('request:updated', mine, forged(base, {}));
    await expect.poll(() => w.seen.length).toBe(2);
    const after = w.seen[1]!;
    expect(after.errors).toBeUndefined();
    expect(after.data!.stagingRequestUpdated).toEqual(first);
    expect(JSON.stringify(after)).not.toContain(theirs);
    expect(JSON.stringify(after)).not.toContain('/download/');
    await w.stop();
  });

  it('ends with NOT_FOUND when the subscriber may no longer see the request', async () => {
    const mine = await stage(owner.token, 'LOCAL_COPY', 'live/moved.txt');
    const w = watch(owner.token, mine);
    await expect.poll(() => w.seen.length).toBe(1);
    // Ownership moved (as after an account merge): the next event must not describe it to the old owner.
    await db.orm.em.fork().nativeUpdate(StagingRequest, { id: mine }, { owner: stranger.id, status: 'RUNNING' });
    server.container.pubsub.publish('request:updated', mine, {
      id: mine,
      ownerId: owner.id,
      method: 'LOCAL_COPY',
      status: 'RUNNING',
    } as RequestSnapshot);
    await expect.poll(() => w.seen.length).toBe(2);
    expect(JSON.stringify(w.seen[1])).toContain('NOT_FOUND');
    expect(JSON.stringify(w.seen[1])).not.toContain('RUNNING');
    await w.stop();
  });
});
