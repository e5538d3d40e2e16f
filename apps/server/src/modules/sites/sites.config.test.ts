import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DURATION_HINT } from '../../lib/duration';
import { loadSitesFile, S3SiteSchema, WebdavSiteSchema } from './sites.config';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-sites-config-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

async function sitesFile(usersSite: string): Promise<string> {
  const file = path.join(dir, `sites-${Math.random().toString(36).slice(2)}.yaml`);
  await fs.writeFile(file, ['sites:', '  - { id: archive, kind: POSIX, root: archive, roles: [source] }', `  - ${usersSite}`].join('\n'));
  return file;
}

const dcache = { id: 'surf', kind: 'WEBDAV', urlPattern: '^srm://', webdavUrl: 'https://door.example.org/', tapeRestUrl: 'https://door.example.org/api/v1/tape', rootCaveatPath: '/pnfs' };

describe('durations in a sites file', () => {
  it('accepts any form of the duration grammar, months included', async () => {
    const [, users] = await loadSitesFile(await sitesFile('{ id: users, kind: POSIX, root: users, roles: [target], retention: P1M, evictIdleAfter: 12h }'));
    expect(users).toMatchObject({ retention: 'P1M', evictIdleAfter: '12h' });
  });

  it('refuses a bad duration with the message every duration setting gives', async () => {
    const file = await sitesFile('{ id: users, kind: POSIX, root: users, roles: [target], retention: 7 days }');
    await expect(loadSitesFile(file)).rejects.toThrow(`sites.1.retention: ${DURATION_HINT}`);
    const s3 = S3SiteSchema.safeParse({ id: 's3', kind: 'S3', bucket: 'data', linkValidity: '7 days' });
    expect(s3.error?.issues.map((i) => i.message)).toEqual([DURATION_HINT]);
    const webdav = WebdavSiteSchema.safeParse({ ...dcache, pinLifetime: '7 days' });
    expect(webdav.error?.issues.map((i) => i.message)).toEqual([DURATION_HINT]);
  });

  it('hands dCache its durations in the days-and-time form it parses', () => {
    expect(WebdavSiteSchema.parse({ ...dcache, macaroonValidity: '1w', pinLifetime: 'PT36H' })).toMatchObject({ macaroonValidity: 'P7D', pinLifetime: 'P1DT12H' });
    expect(WebdavSiteSchema.parse(dcache)).toMatchObject({ macaroonValidity: 'P6D', pinLifetime: 'P7D' });
  });
});
