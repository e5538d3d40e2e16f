import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, userWithToken, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { StagingRequest } from '../staging/staging-request.entity';

let db: TestDatabase;
let server: TestServer;
let archive: string;
let users: string;
type U = { id: string; email: string; token: string };
let alice: U;
let bob: U;
let admin: U;
let pending: U;

const auth = (u: U) => ({ authorization: `Bearer ${u.token}` });

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm, { COMPAT_WAIT: '20s' }, { dbUrl: db.url });
  archive = path.join(server.dataDir, 'sites', 'archive');
  users = path.join(server.dataDir, 'sites', 'users');
  alice = await userWithToken(db.orm, { email: 'alice@example.org' });
  bob = await userWithToken(db.orm, { email: 'bob@example.org' });
  admin = await userWithToken(db.orm, { email: 'ops@example.org', role: 'ADMIN' });
  pending = await userWithToken(db.orm, { email: 'pat@example.org', status: 'PENDING' });
  await fs.writeFile(path.join(archive, 'File1.txt'), 'hello from storage_a\n');
});

/** `POST /stage_data` as the SKAO clients call it: method and username in the query, paths in the JSON body. */
async function stageData(query: Record<string, string>, body: unknown, user?: U, raw?: string) {
  const res = await fetch(`${server.url}/stage_data?${new URLSearchParams(query)}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/json', ...(user ? auth(user) : {}) },
    body: raw ?? JSON.stringify(body),
  });
  const text = Buffer.from(await res.arrayBuffer());
  let json: Record<string, unknown> | null;
  try {
    json = JSON.parse(text.toString()) as Record<string, unknown>;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, json, body: text };
}

describe('SKAO POST /stage_data', () => {
  it('stages the docs example (absolute path on the storage mount, wrapped in "data") into the user area, read-only', async () => {
    const abs = path.join(archive, 'File1.txt');
    const res = await stageData({ method: 'local_copy', username: 'alice' }, { data: { local_path_on_storage: abs, relative_path: 'File1Copy.txt' } }, alice);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'success', message: 'Data staged successfully with local_copy.', relative_path: 'File1Copy.txt' });
    const target = path.join(users, 'alice', 'File1Copy.txt');
    expect(await fs.readFile(target, 'utf8')).toBe('hello from storage_a\n');
    expect((await fs.stat(target)).mode & 0o222).toBe(0);
  });

  it('answers success without copying when the identical file is already there (the duplication check)', async () => {
    const res = await stageData({ method: 'local_copy', username: 'alice' }, { local_path_on_storage: 'File1.txt', relative_path: 'File1Copy.txt' }, alice);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'success', message: 'The file is already available at the target; no copy was needed.' });
  });

  it('refuses to overwrite a different file with 409', async () => {
    await fs.mkdir(path.join(users, 'alice'), { recursive: true });
    await fs.writeFile(path.join(users, 'alice', 'mine.txt'), 'my own notes');
    const res = await stageData({ method: 'local_copy', username: 'alice' }, { local_path_on_storage: 'File1.txt', relative_path: 'mine.txt' }, alice);
    expect(res.status).toBe(409);
    expect(res.json!.detail).toMatch(/different content/);
    expect(await fs.readFile(path.join(users, 'alice', 'mine.txt'), 'utf8')).toBe('my own notes');
  });

  it('answers 400 "Invalid staging method: <m>" for an unknown method', async () => {
    const res = await stageData({ method: 'teleport', username: 'alice' }, { local_path_on_storage: 'File1.txt', relative_path: 'x.txt' }, alice);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ detail: 'Invalid staging method: teleport' });
  });

  it('answers 400 "Source path does not exist: <path>" and stages nothing', async () => {
    const before = await db.orm.em.fork().count(StagingRequest, {});
    const res = await stageData({ method: 'local_copy', username: 'alice' }, { local_path_on_storage: 'missing/File9.txt', relative_path: 'x.txt' }, alice);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ detail: 'Source path does not exist: missing/File9.txt' });
    expect(await db.orm.em.fork().count(StagingRequest, {})).toBe(before);
  });

  it.each([
    ['../../etc/passwd', 'File1.txt'],
    ['File1.txt', '../bob/planted.txt'],
  ])('keeps our path rules: source %j / target %j → 400 PATH_OUTSIDE_ROOT', async (source, target) => {
    const res = await stageData({ method: 'local_copy', username: 'alice' }, { local_path_on_storage: source, relative_path: target }, alice);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    await expect(fs.stat(path.join(users, 'bob', 'planted.txt'))).rejects.toThrow();
  });

  it('refuses an absolute path outside the archive', async () => {
    const res = await stageData({ method: 'local_copy', username: 'alice' }, { local_path_on_storage: '/etc/passwd', relative_path: 'p.txt' }, alice);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ detail: 'Source path is outside the archive: /etc/passwd' });
  });

  it('answers 422 with FastAPI-style details for a malformed body or missing parameters', async () => {
    const bad = await stageData({ method: 'local_copy', username: 'alice' }, null, alice, '{"local_path_on_storage": ');
    expect(bad.status).toBe(422);
    expect(bad.json).toEqual({ detail: [expect.objectContaining({ type: 'json_invalid', loc: ['body'] })] });
    const missing = await stageData({ username: 'alice' }, { relative_path: 'x' }, alice);
    expect(missing.status).toBe(422);
    const locs = (missing.json!.detail as { loc: string[] }[]).map((d) => d.loc.join('.'));
    expect(locs).toEqual(['query.method', 'body.local_path_on_storage']);
  });

  it('serves direct_download as the file itself (the FastAPI FileResponse)', async () => {
    const res = await stageData({ method: 'direct_download', username: 'alice' }, { local_path_on_storage: 'File1.txt', relative_path: 'ignored.txt' }, alice);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?File1\.txt"?$/);
    expect(res.body.toString()).toBe('hello from storage_a\n');
  });

  describe('ownership', () => {
    it('needs a Bearer token (401) from an active user (403)', async () => {
      const anon = await stageData({ method: 'local_copy', username: 'alice' }, { local_path_on_storage: 'File1.txt', relative_path: 'a.txt' });
      expect(anon.status).toBe(401);
      expect(anon.headers.get('www-authenticate')).toBe('Bearer');
      expect(anon.json!.detail).toMatch(/Not authenticated/);
      const forged = await stageData({ method: 'local_copy', username: 'alice' }, { local_path_on_storage: 'File1.txt', relative_path: 'a.txt' }, { ...alice, token: 'sc_forged' });
      expect(forged.status).toBe(401);
      const notApproved = await stageData({ method: 'local_copy', username: 'pat' }, { local_path_on_storage: 'File1.txt', relative_path: 'a.txt' }, pending);
      expect(notApproved.status).toBe(403);
    });

    it("refuses a username that is not the token's user (403), and stages nothing into their area", async () => {
      const res = await stageData({ method: 'local_copy', username: 'alice' }, { local_path_on_storage: 'File1.txt', relative_path: 'from-bob.txt' }, bob);
      expect(res.status).toBe(403);
      expect(res.json).toEqual({ detail: 'The username alice does not match the authenticated user.' });
      await expect(fs.stat(path.join(users, 'alice', 'from-bob.txt'))).rejects.toThrow();
    });

    it("lets an admin stage into another user's area", async () => {
      const res = await stageData({ method: 'local_copy', username: 'bob' }, { local_path_on_storage: 'File1.txt', relative_path: 'by-admin.txt' }, admin);
      expect(res.status).toBe(200);
      expect(await fs.readFile(path.join(users, 'bob', 'by-admin.txt'), 'utf8')).toBe('hello from storage_a\n');
      const unknown = await stageData({ method: 'local_copy', username: 'nobody' }, { local_path_on_storage: 'File1.txt', relative_path: 'x.txt' }, admin);
      expect(unknown.status).toBe(404);
    });
  });
});
