import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../lib/paths';
import { loadSitesFile, type SiteConfig } from '../sites/sites.config';
import { routeSource } from '../sites/url-routing';
import { SecretBox } from '../../lib/secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never stores the plain text', () => {
    const sealed = box.seal('MDAxY2xvY2F0aW9u-macaroon', 'r1/surf');
    expect(sealed).not.toContain('MDAxY2xvY2F0aW9u');
    expect(box.open(sealed, 'r1/surf')).toBe('MDAxY2xvY2F0aW9u-macaroon');
  });

  it('refuses a value moved to another row, tampered with, or sealed under another key', () => {
    const sealed = box.seal('secret', 'r1/surf');
    expect(() => box.open(sealed, 'r2/surf')).toThrow();
    const [v, iv, body] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open(`${v}.${iv}.${flipped.toString('base64url')}`, 'r1/surf')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'r1/surf')).toThrow();
  });
});

describe('sample sites (fixtures/sites/lofar-lta.yaml)', () => {
  let sites: SiteConfig[];
  const load = async () => (sites ??= await loadSitesFile(path.join(FIXTURES_DIR, 'sites', 'lofar-lta.yaml')));

  it('validates, with SURF, Jülich and Poznań as dCache sites and a Rucio site', async () => {
    const s = await load();
    expect(s.filter((x) => x.kind === 'WEBDAV').map((x) => x.id)).toEqual(['surf', 'juelich', 'poznan']);
    expect(s.find((x) => x.kind === 'RUCIO')).toBeTruthy();
    const surf = s.find((x) => x.id === 'surf');
    expect(surf).toMatchObject({ macaroonValidity: 'P6D', macaroonActivities: ['DOWNLOAD', 'READ_METADATA'], credentialsFile: path.join(FIXTURES_DIR, 'sites', 'secrets', 'surf.credentials') });
  });

  it.each([
    ['srm://srm.grid.sara.nl:8443/pnfs/grid.sara.nl/data/lofar/ops/projects/lc0_012/123/L123_SB000.tar', 'surf', '/pnfs/grid.sara.nl/data/lofar/ops/projects/lc0_012/123/L123_SB000.tar'],
    ['srm://srm.grid.sara.nl/srm/managerv2?SFN=/pnfs/grid.sara.nl/data/lofar/ops/projects/lc0_012/x.tar', 'surf', '/pnfs/grid.sara.nl/data/lofar/ops/projects/lc0_012/x.tar'],
    ['srm://lofar-srm.fz-juelich.de:8443/pnfs/fz-juelich.de/data/lofar/ops/projects/lt5_004/y.tar', 'juelich', '/pnfs/fz-juelich.de/data/lofar/ops/projects/lt5_004/y.tar'],
    ['srm://lta-head.lofar.psnc.pl:8443/lofar/ops/projects/lc1_001/z.tar', 'poznan', '/lofar/ops/projects/lc1_001/z.tar'],
  ])('routes %s to %s', async (url, site, ns) => {
    const r = routeSource(await load(), 'WEBDAV', url);
    expect(r && { site: r.site.id, path: r.path }).toEqual({ site, path: ns });
  });

  it.each([
    ['an unknown host', 'srm://srm.example.org:8443/pnfs/grid.sara.nl/data/lofar/ops/projects/a.tar'],
    ['a path outside the root caveat', 'srm://srm.grid.sara.nl:8443/pnfs/grid.sara.nl/data/lofar/user/secret.tar'],
    ['a path climbing out with ..', 'srm://srm.grid.sara.nl:8443/pnfs/grid.sara.nl/data/lofar/ops/projects/../../user/x.tar'],
    ['an encoded ..', 'srm://srm.grid.sara.nl:8443/pnfs/grid.sara.nl/data/lofar/ops/projects/%2e%2e/x.tar'],
    ['a host suffix trick', 'srm://srm.grid.sara.nl.evil.org/pnfs/grid.sara.nl/data/lofar/ops/projects/a.tar'],
    ['a relative path', 'lc0_012/a.tar'],
    ['a control character', 'srm://srm.grid.sara.nl/pnfs/grid.sara.nl/data/lofar/ops/projects/a\n.tar'],
  ])('routes nothing for %s', async (_what, url) => {
    expect(routeSource(await load(), 'WEBDAV', url)).toBeNull();
  });

  it('routes scope:name DIDs to the Rucio site only', async () => {
    expect(routeSource(await load(), 'RUCIO', 'lofar:L123_SB000.tar')?.site.id).toBe('rucio');
    expect(routeSource(await load(), 'RUCIO', 'srm://srm.grid.sara.nl/x')).toBeNull();
    expect(routeSource(await load(), 'RUCIO', 'no-scope')).toBeNull();
  });
});
