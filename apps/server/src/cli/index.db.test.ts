import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config/env';
import { createTestDatabase, type TestDatabase } from '../../test/db';
import type { Database } from '../db/database';
import { TokensService } from '../modules/tokens/tokens.service';
import { systemClock } from '../lib/clock';
import { runCommand } from './index';

let db: TestDatabase;
let database: Database;
let config: Config;

beforeAll(async () => {
  // The CLI builds the container (sites, signing key) under DATA_DIR: a throwaway one.
  config = loadConfig({ NODE_ENV: 'test', DATA_DIR: await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-cli-')) });
  db = await createTestDatabase();
  database = { orm: db.orm, url: db.url, close: async () => undefined };
});

async function cli(...argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  await runCommand(argv, database, (l) => lines.push(l), { config });
  return lines;
}

describe('pnpm cli', () => {
  it('adds an active admin and mints a token that authenticates as them', async () => {
    expect((await cli('user', 'add', '--email', 'Grace@Example.org', '--admin'))[0]).toContain('grace@example.org');
    const out = await cli('token', 'create', '--email', 'grace@example.org', '--name', 'ci', '--days', '30');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^sc_[\w-]{40,}$/);
    const { user, token } = await new TokensService(db.orm.em.fork(), systemClock).authenticate(out[0]!);
    expect(user.email).toBe('grace@example.org');
    expect(user.role).toBe('ADMIN');
    expect(user.status).toBe('ACTIVE');
    expect(token.name).toBe('ci');
    expect(Math.round((token.expiresAt!.getTime() - Date.now()) / 86_400_000)).toBe(30);
  });

  it('lists users, filtered by status', async () => {
    await cli('user', 'add', '--email', 'heidi@example.org');
    expect((await cli('user', 'list')).join('\n')).toMatch(/heidi@example\.org\theidi\tUSER\tACTIVE/);
    expect(await cli('user', 'list', '--status', 'PENDING')).toEqual(['No users.']);
  });

  it('refuses a duplicate email and an unknown command with clear messages', async () => {
    await expect(cli('user', 'add', '--email', 'heidi@example.org')).rejects.toThrow(/already exists/);
    await expect(cli('token', 'create', '--email', 'nobody@example.org')).rejects.toThrow(/No user with email/);
    await expect(cli('user', 'frobnicate')).rejects.toThrow(/Unknown command/);
    await expect(cli('user', 'add')).rejects.toThrow(/--email is required/);
  });

  it('reports an up-to-date database on migrate', async () => {
    expect(await cli('migrate')).toEqual(['Database is up to date.']);
  });
});
