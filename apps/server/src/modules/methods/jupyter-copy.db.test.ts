/**
 * JUPYTER_COPY against a real JupyterHub (Debian's package, DummyAuthenticator,
 * SimpleLocalProcessSpawner) on loopback, through GraphQL with a real API token. The first run on
 * a fresh machine installs JupyterHub (~90 s, see libs/storage/test/peers/install-jupyterhub.sh).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startJupyterHub, type JupyterHubPeer } from '@stagecoach/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, userWithToken, waitForRequest, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { jupyterCopy } from './jupyter-copy.method';
import type { TransferJob } from './method';

let hub: JupyterHubPeer;
let db: TestDatabase;
let server: TestServer;
let dir: string;
let archive: string;
let alice: { id: string; email: string; token: string };

const MIB = 1024 * 1024;
const sha256 = async (p: string) => createHash('sha256').update(await fs.readFile(p)).digest('hex');

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
  await waitForRequest(server, token, id, 'status', 180_000);
  const files = await server.gql<{ stagingRequest: { status: string; files: { nodes: FileNode[] } } }>(FILES, { id }, token);
  return { id, ...files.data!.stagingRequest };
}

beforeAll(async () => {
  hub = await startJupyterHub();
  db = await createTestDatabase();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-jupyter-copy-'));
  archive = path.join(dir, 'archive');
  await fs.mkdir(path.join(archive, 'run', 'nested', 'deeper'), { recursive: true });
  await fs.mkdir(path.join(dir, 'users'));
  await fs.writeFile(path.join(archive, 'big.bin'), randomBytes(50 * MIB)); // 13 chunks of 4 MiB
  await fs.writeFile(path.join(archive, 'run', 'a.txt'), 'alpha\n');
  await fs.writeFile(path.join(archive, 'run', 'nested', 'b.bin'), randomBytes(300_000));
  await fs.writeFile(path.join(archive, 'run', 'nested', 'deeper', 'c.bin'), Buffer.alloc(0));
  await fs.writeFile(path.join(dir, 'wrong-token'), 'not-the-service-token\n');
  await fs.writeFile(
    path.join(dir, 'sites.yaml'),
    [
      'sites:',
      '  - { id: archive, kind: POSIX, root: archive, roles: [source], default: true }',
      '  - { id: users, kind: POSIX, root: users, roles: [target] }',
      `  - { id: hub, name: Test hub, kind: JUPYTERHUB, url: "${hub.url}", token: { file: "${hub.tokenFile}" }, default: true, spawnTimeoutSeconds: 120 }`,
      `  - { id: badhub, name: Hub with a wrong token, kind: JUPYTERHUB, url: "${hub.url}", token: { file: wrong-token } }`,
      `  - { id: mappedhub, name: Mapped hub, kind: JUPYTERHUB, url: "${hub.url}", token: { file: "${hub.tokenFile}" }, hubUser: { map: { "ana@example.org": ana } } }`,
    ].join('\n'),
  );
  server = await startTestServer(db.orm, { SITES_FILE: path.join(dir, 'sites.yaml') }, { dbUrl: db.url });
  alice = await userWithToken(db.orm, { email: 'alice@example.org', emailVerified: true });
  await hub.createUser('alice');
}, 600_000);

afterAll(async () => {
  await hub?.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('stagingMethods', () => {
  it('offers JUPYTER_COPY because a JupyterHub site is configured', async () => {
    const res = await server.gql<{ stagingMethods: { method: string }[] }>('{ stagingMethods { method } }');
    expect(res.data!.stagingMethods.map((m) => m.method)).toContain('JUPYTER_COPY');
  });
});

describe('stage with JUPYTER_COPY', () => {
  it('starts the stopped server, uploads a 50 MiB file and a nested folder byte-identical, and logs the spawn progress', async () => {
    expect(await hub.isRunning('alice')).toBe(false);
    const r = await stageAndWait(alice.token, { method: 'JUPYTER_COPY', items: [{ source: 'big.bin' }, { source: 'run', target: 'results/run' }] });
    expect(r.status).toBe('SUCCEEDED');
    expect(await hub.isRunning('alice')).toBe(true);
    const home = hub.home('alice');
    const expected = [
      ['big.bin', 'staged/big.bin'],
      ['run/a.txt', 'staged/results/run/a.txt'],
      ['run/nested/b.bin', 'staged/results/run/nested/b.bin'],
      ['run/nested/deeper/c.bin', 'staged/results/run/nested/deeper/c.bin'],
    ];
    for (const [src, dest] of expected) expect(await sha256(path.join(home, dest!)), dest).toBe(await sha256(path.join(archive, src!)));
    // No part files are left beside the uploads.
    expect((await fs.readdir(path.join(home, 'staged'))).filter((n) => n.includes('.stagecoach-'))).toEqual([]);
    const big = r.files.nodes.find((f) => f.source === 'big.bin')!;
    expect(big).toMatchObject({ status: 'DONE', checksum: await sha256(path.join(archive, 'big.bin')), accessUrl: `${hub.url}user/alice/lab/tree/staged/big.bin` });

    const logs = await server.gql<{ logs: { message: string }[] }>('query($id: ID!) { logs(requestId: $id, minLevel: DEBUG) { message } }', { id: r.id }, alice.token);
    const messages = logs.data!.logs.map((l) => l.message);
    expect(messages).toContain('Jupyter: Starting your Jupyter server on JupyterHub "Test hub"');
    expect(messages.some((m) => /^Jupyter \(\d+%\): .*(ready|Server)/i.test(m))).toBe(true);
  }, 300_000);

  it('skips files already there with identical content', async () => {
    const r = await stageAndWait(alice.token, { method: 'JUPYTER_COPY', items: [{ source: 'big.bin' }, { source: 'run', target: 'results/run' }] });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.files.nodes.map((f) => f.status)).toEqual(['SKIPPED', 'SKIPPED', 'SKIPPED', 'SKIPPED']);
    expect(r.files.nodes[0]!.accessUrl).toBe(`${hub.url}user/alice/lab/tree/staged/big.bin`);
  }, 120_000);

  it('fails a file whose different target exists with TARGET_EXISTS and leaves it untouched', async () => {
    const mine = path.join(hub.home('alice'), 'staged', 'mine', 'a.txt');
    await fs.mkdir(path.dirname(mine), { recursive: true });
    await fs.writeFile(mine, 'my own notes');
    const r = await stageAndWait(alice.token, { method: 'JUPYTER_COPY', items: [{ source: 'run/a.txt', target: 'mine/a.txt' }, { source: 'run/nested/b.bin', target: 'mine/b.bin' }] });
    expect(r.status).toBe('PARTIALLY_SUCCEEDED');
    expect(r.files.nodes[0]).toMatchObject({ status: 'FAILED', error: { code: 'TARGET_EXISTS', message: expect.stringContaining('different content') } });
    expect(r.files.nodes[1]!.status).toBe('DONE');
    expect(await fs.readFile(mine, 'utf8')).toBe('my own notes');
  }, 120_000);

  it("fails with SITE_UNAVAILABLE and the hub's message when the service token is wrong", async () => {
    const r = await stageAndWait(alice.token, { method: 'JUPYTER_COPY', targetSiteId: 'badhub', items: [{ source: 'run/a.txt', target: 'bad/a.txt' }] });
    expect(r.status).toBe('FAILED');
    expect(r.files.nodes[0]!.error).toEqual({ code: 'SITE_UNAVAILABLE', message: expect.stringMatching(/refused Stagecoach's service token .*403: .*not authorized/i) });
  }, 120_000);

  it("counts the user's bytes on the hub against their byte quota before queuing", async () => {
    const admin = await userWithToken(db.orm, { email: 'root@example.org', role: 'ADMIN' });
    const quentin = await userWithToken(db.orm, { email: 'quentin@example.org', emailVerified: true });
    const set = await server.gql(`mutation($u: ID!) { setUserQuota(userId: $u, siteId: "hub", maxBytes: 5) { activeRequests } }`, { u: quentin.id }, admin.token);
    expect(set.errors).toBeUndefined();
    const refused = await server.gql(STAGE, { input: { method: 'JUPYTER_COPY', items: [{ source: 'run/a.txt' }] } }, quentin.token);
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'QUOTA_EXCEEDED', quota: 'BYTES', siteId: 'hub', used: 0, limit: 5, requested: 6 });
  });

  it('rejects hidden target names and a target site of another kind before queuing', async () => {
    const hidden = await server.gql(STAGE, { input: { method: 'JUPYTER_COPY', items: [{ source: 'run/a.txt', target: '.config/a.txt' }] } }, alice.token);
    expect(hidden.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(hidden.errors?.[0]?.extensions?.items).toEqual([expect.objectContaining({ message: expect.stringContaining('hidden names') })]);
    const wrongKind = await server.gql(STAGE, { input: { method: 'JUPYTER_COPY', targetSiteId: 'users', items: [{ source: 'run/a.txt' }] } }, alice.token);
    expect(wrongKind.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const outside = await server.gql(STAGE, { input: { method: 'JUPYTER_COPY', items: [{ source: 'run/a.txt', target: '../../etc/x' }] } }, alice.token);
    expect(outside.errors?.[0]?.extensions?.code).toBe('PATH_OUTSIDE_ROOT');
  });
});

describe('the hub user of a Stagecoach user', () => {
  it("never puts a file into another person's home when a sanitised username collides with theirs", async () => {
    // Ana has the hub account "ana". Someone whose identity provider calls them "Ana!" signed in
    // to Stagecoach first and got the username "ana" (sanitised); Ana herself then got "ana-2".
    await hub.createUser('ana');
    const other = await userWithToken(db.orm, { email: 'other@example.net', emailVerified: true, preferredUsername: 'Ana!' });
    const ana = await userWithToken(db.orm, { email: 'ana@example.org', emailVerified: true, preferredUsername: 'ana' });
    expect([other.username, ana.username]).toEqual(['ana', 'ana-2']);

    const r = await stageAndWait(other.token, { method: 'JUPYTER_COPY', items: [{ source: 'run/a.txt', target: 'collision/a.txt' }] });
    expect(r.status).toBe('FAILED');
    expect(r.files.nodes[0]!.error).toEqual({ code: 'FORBIDDEN', message: expect.stringContaining('username "ana" is not the name your identity provider gave you') });
    await expect(fs.stat(path.join(hub.home('ana'), 'staged', 'collision'))).rejects.toMatchObject({ code: 'ENOENT' });

    // Ana's altered "ana-2" is refused too; an explicit map by her verified email reaches her home.
    const refused = await stageAndWait(ana.token, { method: 'JUPYTER_COPY', items: [{ source: 'run/a.txt', target: 'collision/a.txt' }] });
    expect(refused.files.nodes[0]!.error?.code).toBe('FORBIDDEN');
    const mapped = await stageAndWait(ana.token, { method: 'JUPYTER_COPY', targetSiteId: 'mappedhub', items: [{ source: 'run/a.txt', target: 'collision/a.txt' }] });
    expect(mapped.status).toBe('SUCCEEDED');
    expect(await fs.readFile(path.join(hub.home('ana'), 'staged', 'collision', 'a.txt'), 'utf8')).toBe('alpha\n');
  }, 300_000);

  it('refuses to map by an email address the identity provider did not verify', async () => {
    // The hub's "claire" is someone else; an unverified claire@… address proves nothing.
    await hub.createUser('claire');
    const claimant = await userWithToken(db.orm, { email: 'claire@example.com', emailVerified: false });
    const r = await stageAndWait(claimant.token, { method: 'JUPYTER_COPY', items: [{ source: 'run/a.txt', target: 'unverified/a.txt' }] });
    expect(r.status).toBe('FAILED');
    expect(r.files.nodes[0]!.error).toEqual({ code: 'FORBIDDEN', message: expect.stringContaining('email address is not verified') });
    await expect(fs.stat(path.join(hub.home('claire'), 'staged', 'unverified'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 120_000);
});

describe('a JUPYTER_COPY batch session', () => {
  it('starts the server again when it stopped during the batch (the engine retries the file)', async () => {
    const signal = new AbortController().signal;
    const logs: string[] = [];
    const session = await jupyterCopy.delivery!.open({
      requestId: randomUUID(),
      owner: { id: alice.id, username: 'alice', email: alice.email, emailVerified: true, usernameOrigin: 'EMAIL', oidcSubject: null },
      site: server.container.sites.deliveryTarget('JUPYTERHUB', 'hub'),
      config: server.config,
      signal,
      log: (_level, message) => logs.push(message),
    });
    await hub.stopServer('alice');
    const job = (): TransferJob => ({
      fileId: randomUUID(),
      requestId: 'r',
      source: 'run/a.txt',
      target: 'restart/a.txt',
      sourcePath: path.join(archive, 'run', 'a.txt'),
      targetPath: null,
      sourceSite: server.container.sites.source('archive'),
      sizeBytes: 6,
      resumed: false,
      signal,
      onProgress: () => undefined,
    });
    await expect(session.transfer(job())).rejects.toMatchObject({ code: 'SITE_UNAVAILABLE', retryable: true });
    await expect(session.transfer(job())).resolves.toMatchObject({ status: 'DONE' });
    expect(await hub.isRunning('alice')).toBe(true);
    expect(await fs.readFile(path.join(hub.home('alice'), 'staged', 'restart', 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(logs.some((m) => m.startsWith('Jupyter: Starting your Jupyter server'))).toBe(true);
    await session.close();
  }, 120_000);
});
