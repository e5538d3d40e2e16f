/**
 * Inputs that used to surface as INTERNAL_SERVER_ERROR or as more than they should: garbled
 * pagination cursors, concurrent retries of one idempotent `stage`, tokens without an end, and
 * credentialed peer calls that met a redirect. Real HTTP, real PostgreSQL, real peers on loopback.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { JupyterHubClient } from '@stagecoach/storage/jupyter';
import { S3Target } from '@stagecoach/storage/s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, userWithToken, type TestServer } from '../test/app';
import { createTestDatabase, type TestDatabase } from '../test/db';
import { signInWithDevIdp } from '../test/session';
import { peerFetch } from './lib/peer-http';
import { StagingRequest } from './modules/staging/staging-request.entity';
import { TapeRestClient } from './modules/dcache/tape-rest.client';

let db: TestDatabase;
let server: TestServer;
let alice: { id: string; email: string; token: string };
let requestId: string;

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const STAGE = `mutation($input: StageInput!) { stage(input: $input) { id } }`;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm, { TOKEN_MAX_DAYS: '30' });
  alice = await userWithToken(db.orm, { email: 'alice@example.org' });
  const archive = path.join(server.dataDir, 'sites', 'archive');
  await fs.mkdir(path.join(archive, 'pages'), { recursive: true });
  for (const n of ['1', '2', '3']) await fs.writeFile(path.join(archive, 'pages', `${n}.txt`), n);
  const res = await server.gql<{ stage: { id: string } }>(
    STAGE,
    { input: { method: 'LOCAL_COPY', items: [{ source: 'pages' }] } },
    alice.token,
  );
  requestId = res.data!.stage.id;
});

describe('a garbled `after` cursor', () => {
  const garbled = [
    ['not base64 at all', '%%%'],
    ['plain words', 'garbage'],
    ['a non-UUID id', b64('2026-01-01T00:00:00.000Z|not-a-uuid')],
    ['a date PostgreSQL cannot hold', b64('-271821-04-20T00:00:00.000Z|00000000-0000-4000-8000-000000000000')],
    ['a number beyond any sequence', b64('99999999999999999999')],
    ['a negative sequence', b64('-1')],
    ['an empty cursor', ''],
  ] as const;

  it.each(garbled)('is BAD_USER_INPUT on stagingRequests (%s)', async (_label, after) => {
    const res = await server.gql(
      `query($after: String) { stagingRequests(first: 1, after: $after) { totalCount } }`,
      { after },
      alice.token,
    );
    if (after === '') return expect(res.errors).toBeUndefined(); // empty means "from the start"
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it.each(garbled)('is BAD_USER_INPUT on a request’s files (%s)', async (_label, after) => {
    const res = await server.gql(
      `query($id: ID!, $after: String) { stagingRequest(id: $id) { files(first: 1, after: $after) { totalCount } } }`,
      { id: requestId, after },
      alice.token,
    );
    if (after === '') return expect(res.errors).toBeUndefined();
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('still pages with the cursors the server hands out', async () => {
    const first = await server.gql<{
      stagingRequest: { files: { nodes: { source: string }[]; pageInfo: { endCursor: string } } };
    }>(
      `query($id: ID!) { stagingRequest(id: $id) { files(first: 2) { nodes { source } pageInfo { endCursor } } } }`,
      { id: requestId },
      alice.token,
    );
    const next = await server.gql<{ stagingRequest: { files: { nodes: { source: string }[] } } }>(
      `query($id: ID!, $after: String) { stagingRequest(id: $id) { files(first: 2, after: $after) { nodes { source } } } }`,
      { id: requestId, after: first.data!.stagingRequest.files.pageInfo.endCursor },
      alice.token,
    );
    expect(next.data!.stagingRequest.files.nodes.map((n) => n.source)).toEqual(['pages/3.txt']);
  });
});

describe('two concurrent `stage` calls with the same idempotency key', () => {
  it('both answer the one request instead of INTERNAL_SERVER_ERROR', async () => {
    for (let round = 0; round < 5; round++) {
      const key = `race-${round}`;
      const input = {
        method: 'LOCAL_COPY',
        idempotencyKey: key,
        items: [{ source: 'pages/1.txt', target: `race/${round}.txt` }],
      };
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => server.gql<{ stage: { id: string } }>(STAGE, { input }, alice.token)),
      );
      expect(answers.map((a) => a.errors?.[0]?.extensions?.code ?? null)).toEqual([null, null, null, null]);
      const ids = new Set(answers.map((a) => a.data!.stage.id));
      expect(ids.size).toBe(1);
      expect(await db.orm.em.fork().count(StagingRequest, { idempotencyKey: key })).toBe(1);
    }
  });
});

describe('TOKEN_MAX_DAYS', () => {
  const create = (days: number | null) =>
    server.gql<{ createApiToken: { token: { expiresAt: string | null } } }>(
      `mutation($days: Int) { createApiToken(name: "t", expiresInDays: $days) { token { expiresAt } } }`,
      { days },
      alice.token,
    );

  it('mints tokens up to the maximum lifetime', async () => {
    const res = await create(30);
    expect(res.errors).toBeUndefined();
    expect(Date.parse(res.data!.createApiToken.token.expiresAt!) - Date.now()).toBeGreaterThan(29 * 86_400_000);
  });

  it('refuses a longer lifetime with BAD_USER_INPUT, naming the maximum', async () => {
    const res = await create(31);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toContain('30');
  });

  it('refuses a token that never expires', async () => {
    const res = await create(null);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('credentialed calls to peers meet a redirect', () => {
  /** A loopback server that answers everything with `status` and records what reached it. */
  async function peer(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
    const seen: { method: string; url: string; authorization?: string; body: string }[] = [];
    const s = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body });
        answer(req, res);
      });
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(s.address() as { port: number }).port}`;
    afterAll(async () => {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    });
    return { url, seen };
  }

  it('are refused, not followed: the redirect target never sees the credentials (peer HTTP helper)', async () => {
    const elsewhere = await peer((_req, res) => res.end('{}'));
    const redirecting = await peer((_req, res) => res.writeHead(307, { location: `${elsewhere.url}/steal` }).end());
    const err = await peerFetch(fetch, 'tape stage status', `${redirecting.url}/api/v1/tape/stage/1`, {
      headers: { authorization: 'Bearer peer-secret', 'x-extra-credential': 'x' },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SITE_UNAVAILABLE', retryable: false, message: expect.stringContaining('redirect') });
    expect(redirecting.seen).toHaveLength(1);
    expect(elsewhere.seen).toHaveLength(0);
  });

  it('are refused by the dCache tape REST client too', async () => {
    const elsewhere = await peer((_req, res) => res.end('{}'));
    const redirecting = await peer((_req, res) => res.writeHead(302, { location: `${elsewhere.url}/steal` }).end());
    const client = new TapeRestClient(`${redirecting.url}/api/v1/tape`, 'Bearer tape-secret');
    await expect(client.status('abc')).rejects.toMatchObject({ code: 'SITE_UNAVAILABLE' });
    expect(elsewhere.seen).toHaveLength(0);
  });

  it('are not followed by the JupyterHub client (its token stays with the hub)', async () => {
    const elsewhere = await peer((_req, res) => res.end('{}'));
    const redirecting = await peer((_req, res) => res.writeHead(302, { location: `${elsewhere.url}/hub/api/users/ann` }).end());
    const hub = new JupyterHubClient({ url: `${redirecting.url}/`, token: 'hub-secret' });
    await hub.getUser('ann').catch(() => undefined);
    expect(redirecting.seen[0]!.authorization).toBe('token hub-secret');
    expect(elsewhere.seen).toHaveLength(0);
  });

  it('are not followed by the S3 client (its signed requests stay with the store)', async () => {
    const elsewhere = await peer((_req, res) => res.end());
    const redirecting = await peer((_req, res) => res.writeHead(307, { location: `${elsewhere.url}/stage/x` }).end());
    const store = new S3Target({
      endpoint: redirecting.url,
      region: 'us-east-1',
      bucket: 'stage',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIA-TEST', secretAccessKey: 's3-secret' },
    });
    try {
      await expect(store.head('x')).rejects.toBeDefined();
    } finally {
      store.destroy();
    }
    expect(redirecting.seen.length).toBeGreaterThan(0);
    expect(elsewhere.seen).toHaveLength(0);
  });

  it('are not followed by the sign-up webhook (its URL is the credential)', async () => {
    const elsewhere = await peer((_req, res) => res.end('ok'));
    const redirecting = await peer((_req, res) => res.writeHead(307, { location: `${elsewhere.url}/steal` }).end());
    const notifying = await startTestServer(db.orm, { SIGNUP_WEBHOOK_URL: `${redirecting.url}/hook` }, { dbUrl: db.url });
    await signInWithDevIdp(notifying.url, 'webhook.watcher');
    const deadline = Date.now() + 15_000;
    while (redirecting.seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(redirecting.seen[0]).toMatchObject({ method: 'POST', url: '/hook' });
    await new Promise((r) => setTimeout(r, 300));
    expect(elsewhere.seen).toHaveLength(0);
  });
});
