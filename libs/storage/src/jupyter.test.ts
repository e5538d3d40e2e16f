import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startJupyterHub, type JupyterHubPeer } from '../test/peers';
import { StorageError } from './errors';
import { encodePath, JupyterHubClient, readEvents, type SpawnEvent } from './jupyter';

let hub: JupyterHubPeer;
let client: JupyterHubClient;
let dir: string;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// Installing JupyterHub on a fresh machine takes about 90 s (Debian packages), starting it ~1 s.
beforeAll(async () => {
  hub = await startJupyterHub();
  client = new JupyterHubClient({ url: hub.url, token: hub.token, label: 'Test hub' });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-jupyter-test-'));
}, 600_000);

afterAll(async () => {
  await hub?.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('readEvents', () => {
  it('parses data lines of a server-sent event stream split anywhere', async () => {
    const text = 'data: {"progress": 10, "message": "a"}\n\n: comment\n\ndata: {"ready": true,\ndata: "message": "b"}\r\n\r\n';
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < text.length; i += 7) c.enqueue(new TextEncoder().encode(text.slice(i, i + 7)));
        c.close();
      },
    });
    const events: SpawnEvent[] = [];
    for await (const e of readEvents(stream)) events.push(e);
    expect(events).toEqual([{ progress: 10, message: 'a' }, { ready: true, message: 'b' }]);
  });
});

describe('encodePath', () => {
  it('encodes each segment and keeps the slashes', () => {
    expect(encodePath('a b/c#d/é?.txt')).toBe('a%20b/c%23d/%C3%A9%3F.txt');
  });
});

describe('JupyterHubClient', () => {
  it('starts a stopped server, reporting the spawn progress, and finds it running afterwards', async () => {
    await hub.createUser('carol');
    expect(await hub.isRunning('carol')).toBe(false);
    const events: SpawnEvent[] = [];
    const serverPath = await client.ensureServer('carol', { timeoutMs: 60_000, onEvent: (e) => events.push(e) });
    expect(serverPath).toBe('/user/carol/');
    expect(await hub.isRunning('carol')).toBe(true);
    expect(events[0]!.message).toMatch(/Starting your Jupyter server/);
    expect(events.some((e) => e.ready)).toBe(true);
    // Already running: no start, no events.
    const again: SpawnEvent[] = [];
    expect(await client.ensureServer('carol', { onEvent: (e) => again.push(e) })).toBe('/user/carol/');
    expect(again).toEqual([]);
  }, 60_000);

  it('tells a user without a hub account what to do', async () => {
    const err = await client.ensureServer('nobody-here').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRANSFER_FAILED', retryable: false });
    expect((err as Error).message).toMatch(/has no user "nobody-here"; sign in to Test hub once/);
  });

  it("reports a wrong service token as SITE_UNAVAILABLE with the hub's message", async () => {
    const wrong = new JupyterHubClient({ url: hub.url, token: 'not-the-token', label: 'Test hub' });
    const err = await wrong.ensureServer('carol').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ code: 'SITE_UNAVAILABLE', retryable: false });
    expect((err as Error).message).toMatch(/refused Stagecoach's service token .*403: .*not authorized/i);
  });

  it('reports an unreachable hub as SITE_UNAVAILABLE worth retrying', async () => {
    const gone = new JupyterHubClient({ url: `http://127.0.0.1:${await freePort()}/`, token: 'x', label: 'Gone hub' });
    const err = await gone.getUser('carol').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SITE_UNAVAILABLE', retryable: true });
    expect((err as Error).message).toMatch(/Gone hub cannot be reached \(ECONNREFUSED\)/);
  });
});

describe('JupyterContents', () => {
  const CHUNK = 64 * 1024;

  it('creates nested folders and uploads a file in several chunks byte-identical', async () => {
    await hub.createUser('dave');
    const contents = client.contents(await client.ensureServer('dave'));
    await contents.makeDirs('staged/deep/er', { known: new Set() });
    const bytes = randomBytes(CHUNK * 3 + 17); // 4 chunks: 1, 2, 3, -1
    const local = path.join(dir, 'big.bin');
    await fs.writeFile(local, bytes);
    const progress: number[] = [];
    const result = await contents.upload(local, 'staged/deep/er/big.bin', { chunkBytes: CHUNK, onProgress: (b) => progress.push(b) });
    expect(result).toEqual({ sizeBytes: bytes.length, sha256: sha256(bytes), remoteSize: bytes.length });
    expect(progress).toHaveLength(4);
    expect(sha256(await fs.readFile(path.join(hub.home('dave'), 'staged/deep/er/big.bin')))).toBe(sha256(bytes));
    expect(await contents.sha256('staged/deep/er/big.bin')).toBe(sha256(bytes));
    expect(await contents.stat('staged/deep/er/big.bin')).toMatchObject({ type: 'file', size: bytes.length });
    expect(await contents.stat('staged/none')).toBeNull();
  }, 60_000);

  it('uploads small and empty files in one request, overwriting a leftover', async () => {
    const contents = client.contents(await client.ensureServer('dave'));
    await contents.makeDirs('staged');
    for (const bytes of [Buffer.from('hello'), Buffer.alloc(0)]) {
      const local = path.join(dir, 'small');
      await fs.writeFile(local, bytes);
      await contents.upload(local, 'staged/small.txt', { chunkBytes: CHUNK });
      expect(await fs.readFile(path.join(hub.home('dave'), 'staged/small.txt'))).toEqual(bytes);
    }
  });

  it('renames without ever replacing an existing file', async () => {
    const contents = client.contents(await client.ensureServer('dave'));
    const local = path.join(dir, 'r');
    await fs.writeFile(local, 'one');
    await contents.upload(local, 'staged/r.part');
    expect(await contents.rename('staged/r.part', 'staged/r.txt')).toBe(true);
    await fs.writeFile(local, 'two');
    await contents.upload(local, 'staged/r2.part');
    expect(await contents.rename('staged/r2.part', 'staged/r.txt')).toBe(false);
    expect(await fs.readFile(path.join(hub.home('dave'), 'staged/r.txt'), 'utf8')).toBe('one');
    await contents.remove('staged/r2.part');
    await contents.remove('staged/r2.part'); // already gone: fine
    expect(await contents.stat('staged/r2.part')).toBeNull();
  });

  it('refuses a folder where a file is, and maps server refusals to TRANSFER_FAILED', async () => {
    const contents = client.contents(await client.ensureServer('dave'));
    await expect(contents.makeDirs('staged/r.txt/sub')).rejects.toMatchObject({ code: 'TARGET_EXISTS' });
    const local = path.join(dir, 'h');
    await fs.writeFile(local, 'x');
    // Jupyter refuses hidden names unless the server allows them.
    await expect(contents.upload(local, '.hidden/x')).rejects.toMatchObject({ code: 'TRANSFER_FAILED', message: expect.stringMatching(/refused .*400/) });
  });

  it('links a file into JupyterLab', () => {
    expect(client.labUrl('/user/dave/', 'staged/a b.txt')).toBe(`${hub.url}user/dave/lab/tree/staged/a%20b.txt`);
  });
});
