import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { StagecoachClient, StagecoachError, type StagingRequest } from '@stagecoach/client';
import { freePort } from '@stagecoach/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/db';
import { startTestServer, userWithToken, type TestServer } from '../test/app';
import { StagingRequest as StagingRequestEntity } from './modules/staging/staging-request.entity';

// @stagecoach/client against the real server, worker and token: what an integrator's script sees.

let db: TestDatabase;
let server: TestServer;
let archive: string;
let alice: { id: string; email: string; token: string };
const clients: StagecoachClient[] = [];

/** A global fetch that records what went over HTTP, so tests can tell how an answer was obtained. */
function recordingFetch() {
  const calls: { url: string; status: number; body: string }[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    calls.push({ url: String(input), status: res.status, body: String(init?.body ?? '') });
    return res;
  };
  return { calls, fetchImpl };
}

function client(opts: Partial<ConstructorParameters<typeof StagecoachClient>[0]> = {}) {
  const c = new StagecoachClient({ url: server.url, token: alice.token, ...opts });
  clients.push(c);
  return c;
}

async function requestCount() {
  return db.orm.em.fork().count(StagingRequestEntity, { owner: alice.id });
}

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm, {}, { dbUrl: db.url });
  archive = path.join(server.dataDir, 'sites', 'archive');
  alice = await userWithToken(db.orm, { email: 'alice@example.org' });
  await fs.mkdir(path.join(archive, 'five'), { recursive: true });
  for (let i = 1; i <= 5; i++) await fs.writeFile(path.join(archive, 'five', `f${i}.txt`), `file ${i}\n`);
  await fs.writeFile(path.join(archive, 'blob.bin'), randomBytes(300_000));
});

afterAll(() => {
  for (const c of clients) c.close();
});

describe('StagecoachClient', () => {
  it('stages a folder and waits for it over the subscription, without polling', async () => {
    const { calls, fetchImpl } = recordingFetch();
    const sc = client({ fetch: fetchImpl });
    const req = await sc.stage({ method: 'LOCAL_COPY', items: [{ source: 'five' }] });
    expect(req).toMatchObject({ status: 'QUEUED', method: 'LOCAL_COPY', filesTotal: 5 });
    const before = calls.length;
    const updates: StagingRequest[] = [];
    const done = await sc.waitFor(req.id, { onUpdate: (r) => updates.push(r) });
    expect(done).toMatchObject({ id: req.id, status: 'SUCCEEDED', filesDone: 5, filesFailed: 0 });
    expect(updates.at(-1)).toEqual(done);
    expect(calls.length).toBe(before);
    expect(await sc.request(req.id)).toMatchObject({ status: 'SUCCEEDED', filesDone: 5 });
  });

  it('iterates every file across pages', async () => {
    const { calls, fetchImpl } = recordingFetch();
    const sc = client({ fetch: fetchImpl });
    const req = await sc.stage({ method: 'LOCAL_COPY', items: [{ source: 'five', target: 'paged' }] });
    await sc.waitFor(req.id);
    const before = calls.length;
    const files = [];
    for await (const f of sc.files(req.id, { pageSize: 2 })) files.push(f);
    expect(files.map((f) => f.source)).toEqual(['five/f1.txt', 'five/f2.txt', 'five/f3.txt', 'five/f4.txt', 'five/f5.txt']);
    expect(files.every((f) => f.status === 'DONE' && f.checksum?.length === 64 && f.error === null)).toBe(true);
    expect(calls.length - before).toBe(3);
    const failed = [];
    for await (const f of sc.files(req.id, { status: ['FAILED'] })) failed.push(f);
    expect(failed).toEqual([]);
  });

  it('turns a GraphQL error into a StagecoachError with its code and extensions', async () => {
    const before = await requestCount();
    const err = await client()
      .stage({ method: 'LOCAL_COPY', items: [{ source: '../outside' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StagecoachError);
    expect(err).toMatchObject({
      code: 'PATH_OUTSIDE_ROOT',
      extensions: { items: [expect.objectContaining({ index: 0, code: 'PATH_OUTSIDE_ROOT' })] },
    });
    expect(await requestCount()).toBe(before);
    await expect(client().waitFor('999999')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const anonymous = await new StagecoachClient({ url: server.url, token: 'not-a-token' }).request('1').catch((e: unknown) => e);
    expect(anonymous).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('answers NOT_CANCELLABLE when cancelling a finished request', async () => {
    const sc = client();
    const req = await sc.stage({ method: 'LOCAL_COPY', items: [{ source: 'five/f1.txt', target: 'cancel/f1.txt' }] });
    await sc.waitFor(req.id);
    await expect(sc.cancel(req.id)).rejects.toMatchObject({ code: 'NOT_CANCELLABLE' });
  });

  it('falls back to polling when the WebSocket cannot connect', async () => {
    const { calls, fetchImpl } = recordingFetch();
    const sc = client({ fetch: fetchImpl, wsUrl: `ws://127.0.0.1:${await freePort()}/graphql` });
    const req = await sc.stage({ method: 'LOCAL_COPY', items: [{ source: 'five', target: 'polled' }] });
    const before = calls.length;
    const done = await sc.waitFor(req.id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', filesDone: 5 });
    expect(calls.slice(before).every((c) => c.body.includes('ClientRequest'))).toBe(true);
    expect(calls.length).toBeGreaterThan(before);
  });

  it('reconnects a lost WebSocket and resubscribes, without polling', async () => {
    // A TCP relay to the server that ends its first connection right after the server's
    // connection_ack: the socket worked once, then dropped, as when a proxy restarts.
    const serverPort = Number(new URL(server.url).port);
    let connections = 0;
    const relay = net.createServer((down) => {
      const n = ++connections;
      const up = net.connect(serverPort, '127.0.0.1');
      down.on('data', (c) => up.write(c));
      up.on('data', (c: Buffer) => {
        if (n === 1 && c.includes('connection_ack')) {
          down.end(c);
          up.destroy();
        } else down.write(c);
      });
      const close = () => (down.destroy(), up.destroy());
      down.on('error', close).on('close', close);
      up.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    afterAll(() => new Promise<void>((resolve) => relay.close(() => resolve())));
    const { calls, fetchImpl } = recordingFetch();
    const sc = client({ fetch: fetchImpl, wsUrl: `ws://127.0.0.1:${(relay.address() as net.AddressInfo).port}/graphql` });
    const req = await sc.stage({ method: 'LOCAL_COPY', items: [{ source: 'five', target: 'relayed' }] });
    const before = calls.length;
    expect(await sc.waitFor(req.id)).toMatchObject({ status: 'SUCCEEDED', filesDone: 5 });
    expect(connections).toBe(2);
    expect(calls.length).toBe(before);
  });

  it('downloads a DIRECT_DOWNLOAD result by request id and by file link, byte-exact', async () => {
    const sc = client();
    const req = await sc.stage({ method: 'DIRECT_DOWNLOAD', items: [{ source: 'blob.bin' }] });
    await sc.waitFor(req.id);
    const out = await fs.mkdtemp(path.join(server.dataDir, 'out-'));
    const expected = await fs.readFile(path.join(archive, 'blob.bin'));
    const byId = await sc.download(req.id, path.join(out, 'by-id.bin'));
    expect(byId.bytes).toBe(expected.length);
    expect((await fs.readFile(path.join(out, 'by-id.bin'))).equals(expected)).toBe(true);
    const links: string[] = [];
    for await (const f of sc.files(req.id)) links.push(f.downloadUrl!);
    await sc.download(links[0]!, path.join(out, 'by-url.bin'));
    expect((await fs.readFile(path.join(out, 'by-url.bin'))).equals(expected)).toBe(true);
    // The temporary files were renamed, none is left behind.
    expect((await fs.readdir(out)).sort()).toEqual(['by-id.bin', 'by-url.bin']);
    const local = await sc.stage({ method: 'LOCAL_COPY', items: [{ source: 'blob.bin', target: 'nolink.bin' }] });
    await expect(sc.download(local.id, path.join(out, 'x'))).rejects.toMatchObject({ code: 'NO_DOWNLOAD_URL' });
  });

  it('retries stage after a lost answer with the same idempotency key, staging once', async () => {
    let lost = 0;
    const bodies: string[] = [];
    // The server gets and handles the first request; its answer is then dropped like a reset connection.
    const flaky: typeof fetch = async (input, init) => {
      bodies.push(String(init?.body));
      const res = await fetch(input, init);
      if (lost++ === 0) {
        await res.text();
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
      }
      return res;
    };
    const before = await requestCount();
    const req = await client({ fetch: flaky }).stage({
      method: 'LOCAL_COPY',
      items: [{ source: 'five/f2.txt', target: 'once/f2.txt' }],
    });
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toBe(bodies[0]);
    expect(JSON.parse(bodies[0]!).variables.input.idempotencyKey).toEqual(expect.any(String));
    expect(await requestCount()).toBe(before + 1);
    expect(req.filesTotal).toBe(1);
  });

  it('gives up on network errors after the retries with NETWORK_ERROR, and never resends cancel', async () => {
    let sent = 0;
    const down: typeof fetch = async () => {
      sent++;
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    };
    await expect(client({ fetch: down, retries: 2 }).request('1')).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    expect(sent).toBe(3);
    sent = 0;
    await expect(client({ fetch: down, retries: 2 }).cancel('1')).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    expect(sent).toBe(1);
  });

  it('waits out RATE_LIMITED (429, retryAfter) and then succeeds', async () => {
    // One mutation per second with no burst: the second stage in a row is refused for a second.
    const limited = await startTestServer(db.orm, { RATE_LIMIT_MUTATIONS: '60', RATE_LIMIT_MUTATION_BURST: '1' });
    await fs.mkdir(path.join(limited.dataDir, 'sites', 'archive'), { recursive: true });
    await fs.writeFile(path.join(limited.dataDir, 'sites', 'archive', 'one.txt'), 'one\n');
    const { calls, fetchImpl } = recordingFetch();
    const sc = client({ url: limited.url, fetch: fetchImpl });
    await sc.stage({ method: 'LOCAL_COPY', items: [{ source: 'one.txt', target: 'limited/a.txt' }] });
    const second = await sc.stage({ method: 'LOCAL_COPY', items: [{ source: 'one.txt', target: 'limited/b.txt' }] });
    expect(second.status).toBe('QUEUED');
    expect(calls.map((c) => c.status)).toEqual([200, 429, 200]);
  });
});
