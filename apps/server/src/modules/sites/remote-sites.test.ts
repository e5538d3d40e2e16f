import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadConfig } from '../../config/env';
import { createLogger } from '../../lib/logger';
import { FIXTURES_DIR } from '../../lib/paths';
import { readSecret } from './site-secrets';
import { JupyterHubSiteSchema, loadSitesFile, S3SiteSchema, SitesConfigError, SitesFileSchema } from './sites.config';
import { SiteRegistry } from './sites.service';

let dir: string;
const logger = createLogger('silent');

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-remote-sites-'));
  await fs.mkdir(path.join(dir, 'archive'));
  await fs.writeFile(path.join(dir, 'hub-token'), 'tok-123\n');
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

async function sitesFile(lines: string[]): Promise<string> {
  const file = path.join(dir, `sites-${Math.random().toString(36).slice(2)}.yaml`);
  await fs.writeFile(file, ['sites:', '  - { id: archive, kind: POSIX, root: archive, roles: [source] }', ...lines].join('\n'));
  return file;
}

describe('JUPYTERHUB and S3 sites', () => {
  it('refuses secrets written inline', () => {
    const hub = JupyterHubSiteSchema.safeParse({ id: 'hub', kind: 'JUPYTERHUB', url: 'https://hub.example.org/', token: 'abc' });
    expect(hub.success).toBe(false);
    expect(hub.error!.issues[0]!.message).toMatch(/by reference: \{ env: VARIABLE_NAME \} or \{ file/);
    const s3 = S3SiteSchema.safeParse({ id: 's3', kind: 'S3', bucket: 'data', credentials: { accessKeyId: 'AKIA', secretAccessKey: { env: 'S' } } });
    expect(s3.success).toBe(false);
  });

  it('requires {username} in the S3 prefix and a link validity of at most 7 days', () => {
    expect(S3SiteSchema.safeParse({ id: 's3', kind: 'S3', bucket: 'data', prefix: 'shared/' }).success).toBe(false);
    expect(S3SiteSchema.safeParse({ id: 's3', kind: 'S3', bucket: 'data', linkValidity: 'P8D' }).success).toBe(false);
    expect(S3SiteSchema.parse({ id: 's3', kind: 'S3', bucket: 'data' })).toMatchObject({ prefix: '{username}/', linkValidity: 'P7D', roles: ['target'], region: 'us-east-1' });
  });

  it('refuses these sites as sources and upload folders that climb out', () => {
    expect(JupyterHubSiteSchema.safeParse({ id: 'hub', kind: 'JUPYTERHUB', url: 'https://h/', token: { env: 'T' }, roles: ['source'] }).success).toBe(false);
    expect(JupyterHubSiteSchema.safeParse({ id: 'hub', kind: 'JUPYTERHUB', url: 'https://h/', token: { env: 'T' }, uploadDir: '../x' }).success).toBe(false);
    expect(JupyterHubSiteSchema.safeParse({ id: 'hub', kind: 'JUPYTERHUB', url: 'https://h/', token: { env: 'T' }, uploadDir: '/abs' }).success).toBe(false);
  });

  it('resolves secret files relative to SITES_FILE and reads them at use', async () => {
    const file = await sitesFile(['  - { id: hub, kind: JUPYTERHUB, url: "https://hub.example.org/", token: { file: hub-token } }']);
    const [, hub] = await loadSitesFile(file);
    expect(hub).toMatchObject({ kind: 'JUPYTERHUB', token: { file: path.join(dir, 'hub-token') } });
    const config = loadConfig({ SITES_FILE: file, DATA_DIR: dir });
    expect(await readSecret(config, (hub as { token: { file: string } }).token)).toBe('tok-123');
  });

  it('reads secrets named by environment variable through the config', async () => {
    const config = loadConfig({ DATA_DIR: dir, MY_S3_KEY: 'AKIA-1' });
    expect(await readSecret(config, { env: 'MY_S3_KEY' })).toBe('AKIA-1');
    const err = (await readSecret(config, { env: 'NOT_SET_ANYWHERE' }).catch((e: unknown) => e)) as Error & { code: string };
    // The message reaches users: it names no variable; the cause (for the server log) does.
    expect(err).toMatchObject({ code: 'SITE_UNAVAILABLE', message: expect.stringContaining('administrator') });
    expect(err.message).not.toContain('NOT_SET_ANYWHERE');
    expect((err.cause as Error).message).toContain('environment variable NOT_SET_ANYWHERE is not set');
  });

  it('keeps the path of an unreadable secret file out of the message users read', async () => {
    const missing = path.join(dir, 'no-such-token');
    const err = (await readSecret(loadConfig({ DATA_DIR: dir }), { file: missing }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('SITE_UNAVAILABLE');
    expect(err.message).not.toContain(dir);
    expect(err.message).not.toContain('no-such-token');
    expect((err.cause as Error).message).toContain(`file ${missing} (ENOENT)`);
  });

  it('stops the start listing every secret that cannot be read', async () => {
    const file = await sitesFile([
      '  - { id: hub, kind: JUPYTERHUB, url: "https://hub.example.org/", token: { file: missing-token } }',
      '  - { id: s3, kind: S3, bucket: data, credentials: { accessKeyId: { env: NO_SUCH_KEY }, secretAccessKey: { file: hub-token } } }',
    ]);
    const err = await SiteRegistry.load(loadConfig({ SITES_FILE: file, DATA_DIR: dir }), logger).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SitesConfigError);
    expect((err as Error).message).toMatch(/site "hub" token: .*missing-token \(ENOENT\)/);
    expect((err as Error).message).toMatch(/site "s3" credentials.accessKeyId: .*NO_SUCH_KEY is not set/);
  });

  it('picks the delivery site by kind, or the one named, and refuses one of another kind', async () => {
    const file = await sitesFile([
      '  - { id: users, kind: POSIX, root: archive, roles: [target] }',
      '  - { id: hub1, kind: JUPYTERHUB, url: "https://a/", token: { file: hub-token } }',
      '  - { id: hub2, kind: JUPYTERHUB, url: "https://b/", token: { file: hub-token }, default: true }',
    ]);
    const sites = await SiteRegistry.load(loadConfig({ SITES_FILE: file, DATA_DIR: dir }), logger);
    expect(sites.deliveryTarget('JUPYTERHUB').id).toBe('hub2');
    expect(sites.deliveryTarget('JUPYTERHUB', 'hub1').id).toBe('hub1');
    expect(() => sites.deliveryTarget('JUPYTERHUB', 'users')).toThrow(/not a JUPYTERHUB site/);
    expect(() => sites.deliveryTarget('S3')).toThrow(/No S3 site is configured/);
  });
});

describe('fixtures/sites examples', () => {
  it.each(['jupyterhub.example.yaml', 's3.example.yaml'])('%s is a valid sites file', async (name) => {
    const parsed = SitesFileSchema.safeParse(YAML.parse(await fs.readFile(path.join(FIXTURES_DIR, 'sites', name), 'utf8')));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });
});
