import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, userWithToken, waitForRequest, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { runCommand } from '../../cli/index';
import { loadConfig } from '../../config/env';
import type { Database } from '../../db/database';
import { createLogger } from '../../lib/logger';
import { StagingRequest } from '../staging/staging-request.entity';
import { User } from '../users/user.entity';

let db: TestDatabase;
let database: Database;
let server: TestServer;
let alice: { id: string; email: string; token: string };
let requestId: string;

async function cli(argv: string[], opts: { env?: Record<string, string>; fetchImpl?: typeof fetch } = {}): Promise<string[]> {
  const lines: string[] = [];
  const config = opts.env ? loadConfig({ NODE_ENV: 'test', DATA_DIR: server.dataDir, ...opts.env }) : server.config;
  await runCommand(argv, database, (l) => lines.push(l), { config, logger: createLogger('silent'), fetchImpl: opts.fetchImpl });
  return lines;
}

beforeAll(async () => {
  db = await createTestDatabase();
  database = { orm: db.orm, url: db.url, close: async () => undefined };
  server = await startTestServer(db.orm, {}, { dbUrl: db.url });
  alice = await userWithToken(db.orm, { email: 'alice@example.org' });
  await fs.writeFile(path.join(server.dataDir, 'sites', 'archive', 'p.bin'), Buffer.alloc(4096, 'p'));
  const res = await server.gql<{ stage: { id: string } }>(`mutation { stage(input: { method: LOCAL_COPY, items: [{ source: "p.bin", target: "old/p.bin" }] }) { id } }`, undefined, alice.token);
  requestId = res.data!.stage.id;
  await waitForRequest(server, alice.token, requestId);
});

describe('pnpm cli requests', () => {
  it('lists requests (filtered by status and owner) and shows one', async () => {
    const list = await cli(['requests', 'list', '--status', 'SUCCEEDED', '--email', 'alice@example.org']);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(new RegExp(`^${requestId}\\talice@example.org\\tLOCAL_COPY\\tSUCCEEDED\\t1/1 files\\t`));
    expect(await cli(['requests', 'list', '--status', 'FAILED'])).toEqual(['No requests.']);
    await expect(cli(['requests', 'list', '--status', 'DONE'])).rejects.toThrow(/--status must be among/);
    const show = await cli(['requests', 'show', requestId]);
    expect(show[0]).toBe(`id:        ${requestId}`);
    expect(show.some((l) => /log .* INFO request succeeded/.test(l))).toBe(true);
  });

  it('cancels a queued request, and refuses a finished one', async () => {
    const em = db.orm.em.fork();
    const queued = em.create(StagingRequest, { owner: em.getReference(User, alice.id), method: 'LOCAL_COPY', sourceSiteId: 'archive', targetSiteId: 'users', createdAt: new Date() });
    await em.flush();
    expect((await cli(['requests', 'cancel', queued.id]))[0]).toMatch(/^Cancelled /);
    expect((await db.orm.em.fork().findOneOrFail(StagingRequest, { id: queued.id })).status).toBe('CANCELLED');
    await expect(cli(['requests', 'cancel', requestId])).rejects.toMatchObject({ code: 'NOT_CANCELLABLE' });
    await expect(cli(['requests', 'show', 'nope'])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('pnpm cli purge', () => {
  const staged = () => path.join(server.dataDir, 'sites', 'users', 'alice', 'old', 'p.bin');

  it('lists what it would remove with --dry-run and removes nothing', async () => {
    const out = await cli(['purge', '--older-than', '0s', '--dry-run']);
    expect(out.filter((l) => l.startsWith('would purge'))).toEqual([expect.stringContaining(requestId)]);
    expect(out.at(-1)).toBe('Dry run: 1 request(s) would be purged; nothing was removed.');
    expect(await fs.stat(staged()).then(() => true)).toBe(true);
  });

  it('keeps requests younger than --older-than', async () => {
    expect((await cli(['purge', '--older-than', '30d'])).at(-1)).toBe('Purged 0 request(s): 0 file(s), 0 bytes removed.');
    await expect(cli(['purge', '--older-than', 'soon'])).rejects.toThrow(/--older-than: expected a duration/);
    // A bare number is refused rather than read as seconds, which would purge nearly everything.
    await expect(cli(['purge', '--older-than', '30'])).rejects.toThrow(/--older-than: expected a duration/);
  });

  it('removes the results and marks the request purged', async () => {
    expect((await cli(['purge', '--older-than', '0s'])).at(-1)).toBe('Purged 1 request(s): 1 file(s), 4.0 KiB removed.');
    await expect(fs.stat(staged())).rejects.toThrow();
    const r = await db.orm.em.fork().findOneOrFail(StagingRequest, { id: requestId });
    expect(r.expiryReason).toBe('PURGED');
    expect(r.expiredAt).not.toBeNull();
  });
});

describe('pnpm cli doctor', () => {
  it('passes with the development defaults, warning about the dev IdP and the missing SMTP server', async () => {
    const out = await cli(['doctor']);
    expect(out.find((l) => l.includes('database'))).toMatch(/^OK\s+database\s+PostgreSQL .*migrations applied/);
    expect(out.find((l) => l.includes('site users'))).toMatch(/^(OK|WARN)\s+site users\s+POSIX .* free/);
    expect(out.find((l) => l.includes('identity provider'))).toMatch(/^WARN .*development IdP/);
    expect(out.find((l) => l.includes('smtp'))).toMatch(/^WARN .*SMTP_URL is unset/);
    expect(out.at(-1)).toBe('All checks passed.');
  });

  it('fails when the IdP has no discovery document', async () => {
    const lines: string[] = [];
    const fake = (async () => new Response('nope', { status: 404 })) as typeof fetch;
    await expect(
      runCommand(['doctor'], database, (l) => lines.push(l), { config: loadConfig({ NODE_ENV: 'test', DATA_DIR: server.dataDir, OIDC_ISSUER: 'https://idp.example.org', OIDC_CLIENT_ID: 'x' }), logger: createLogger('silent'), fetchImpl: fake }),
    ).rejects.toThrow(/1 check\(s\) failed/);
    expect(lines.find((l) => l.includes('identity provider'))).toMatch(/^FAIL .*well-known\/openid-configuration answered HTTP 404/);
  });
});
