/**
 * A SKAO client's `jupyter_copy` with its own `jupyter_token`, against a real JupyterHub (Debian's
 * package, see libs/storage/test/peers) whose site in Stagecoach is configured with a token the
 * hub refuses: only the token the client sends can make the copy work.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startJupyterHub, type JupyterHubPeer } from '@stagecoach/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, userWithToken, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { createLogger } from '../../lib/logger';

let hub: JupyterHubPeer;
let db: TestDatabase;
let server: TestServer;
let dir: string;
let alice: { id: string; email: string; token: string };
let serverLog = '';

const AXIOS = { accept: 'application/json, text/plain, */*', 'content-type': 'application/json' };
const sha256 = async (p: string) =>
  createHash('sha256')
    .update(await fs.readFile(p))
    .digest('hex');

async function stageData(query: string, data: Record<string, string>) {
  const res = await fetch(`${server.url}/stage-data/?${query}`, {
    method: 'POST',
    headers: { ...AXIOS, authorization: `Bearer ${alice.token}` },
    body: JSON.stringify({ data }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  hub = await startJupyterHub();
  db = await createTestDatabase();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-skao-jupyter-'));
  await fs.mkdir(path.join(dir, 'archive'));
  await fs.mkdir(path.join(dir, 'users'));
  await fs.writeFile(path.join(dir, 'archive', 'File1.txt'), 'hello from storage_a\n');
  await fs.writeFile(path.join(dir, 'wrong-token'), 'not-the-service-token\n');
  await fs.writeFile(
    path.join(dir, 'sites.yaml'),
    [
      'sites:',
      '  - { id: archive, kind: POSIX, root: archive, roles: [source], default: true }',
      '  - { id: users, kind: POSIX, root: users, roles: [target] }',
      `  - { id: hub, name: Test hub, kind: JUPYTERHUB, url: "${hub.url}", token: { file: wrong-token }, spawnTimeoutSeconds: 120 }`,
    ].join('\n'),
  );
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      serverLog += chunk.toString();
      done();
    },
  });
  server = await startTestServer(
    db.orm,
    { SITES_FILE: path.join(dir, 'sites.yaml'), COMPAT_WAIT: '180s' },
    { dbUrl: db.url, logger: createLogger('debug', { destination: sink }) },
  );
  alice = await userWithToken(db.orm, { email: 'alice@example.org', emailVerified: true });
  await hub.createUser('alice');
}, 600_000);

afterAll(async () => {
  await hub?.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('POST /stage-data/?method=jupyter_copy&jupyter_token=…', () => {
  it("fails with the site's own token when the hub refuses it", async () => {
    const res = await stageData('method=jupyter_copy&username=alice', {
      local_path_on_storage: 'File1.txt',
      relative_path: 'skao/without.txt',
    });
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({
      code: 'SITE_UNAVAILABLE',
      detail: expect.stringMatching(/refused Stagecoach's service token/),
    });
  }, 200_000);

  it("copies into the user's Jupyter home with the token the client sent instead of the site's", async () => {
    const res = await stageData(`method=jupyter_copy&username=alice&jupyter_token=${hub.token}`, {
      local_path_on_storage: path.join(dir, 'archive', 'File1.txt'),
      relative_path: 'skao/File1.txt',
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'success', message: 'Data staged successfully with jupyter_copy.' });
    expect(await sha256(path.join(hub.home('alice'), 'staged', 'skao', 'File1.txt'))).toBe(
      await sha256(path.join(dir, 'archive', 'File1.txt')),
    );
  }, 200_000);

  it('never writes the token in clear: not in server logs, the live log or the database', async () => {
    expect(serverLog).toContain('/stage-data/');
    expect(serverLog).not.toContain(hub.token);
    const conn = db.orm.em.getConnection();
    const [credentials] = await conn.execute<{ n: string; sealed: string }[]>(
      'select count(*)::text as n, min(token_sealed) as sealed from request_credentials',
    );
    expect(credentials!.n).toBe('1');
    expect(credentials!.sealed).not.toContain(hub.token);
    const dump =
      JSON.stringify(await conn.execute('select * from log_entries')) +
      JSON.stringify(await conn.execute('select * from staging_requests')) +
      JSON.stringify(await conn.execute('select * from graphile_worker.jobs'));
    expect(dump).not.toContain(hub.token);
  });

  it('refuses a jupyter_token that cannot be a token', async () => {
    const spaced = await stageData(`method=jupyter_copy&username=alice&jupyter_token=${encodeURIComponent('a b')}`, {
      local_path_on_storage: 'File1.txt',
      relative_path: 'skao/spaced.txt',
    });
    expect(spaced).toMatchObject({ status: 400, json: { code: 'BAD_USER_INPUT' } });
  });
});
