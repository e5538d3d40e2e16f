import type { RemoteSourcing } from '../methods/remote-batch';
import type { SiteConfig } from '../sites/sites.config';
import { routeSource } from '../sites/url-routing';
import { itemsError, type ItemProblem } from './staging.errors';

export interface PlannedUrlFile {
  source: string;
  target: string;
  sizeBytes: number;
  /** Index of the submitted item. */
  item: number;
}

/**
 * `plan()` of URL-sourced methods (DCACHE_STAGE, RUCIO_COPY): every source must be an archive
 * URL or DID that a configured site of the method's kind routes (by its URL pattern). A source
 * no site takes is SOURCE_NOT_FOUND — "not found at any site we know" — listed in
 * `extensions.items` like missing POSIX sources, and nothing is queued. `target` is not given by
 * users here (the site decides where data lands); a given one is refused rather than ignored.
 * Nothing is fetched: existence is the peer's to report, per file, once the request runs.
 */
export function planUrlSources(sites: readonly SiteConfig[], remote: RemoteSourcing, items: { source: string; target?: string | null }[]): { planned: PlannedUrlFile[]; siteIds: string[] } {
  const unknown: ItemProblem[] = [];
  const bad: ItemProblem[] = [];
  const planned: PlannedUrlFile[] = [];
  const siteIds = new Set<string>();
  const seen = new Set<string>();
  const what = remote.siteKind === 'RUCIO' ? 'DID (scope:name)' : 'archive URL';
  for (const [index, item] of items.entries()) {
    const source = item.source.trim();
    if (item.target?.trim()) {
      bad.push({ index, source: item.source, code: 'BAD_USER_INPUT', message: `A target cannot be chosen with this method; the ${remote.siteKind === 'RUCIO' ? 'Rucio site' : 'dCache site'} decides where the data lands.` });
      continue;
    }
    const routed = routeSource(sites, remote.siteKind, source);
    if (!routed) {
      unknown.push({ index, source: item.source, code: 'SOURCE_NOT_FOUND', message: `No configured site matches the ${what} ${JSON.stringify(source.slice(0, 300))}.` });
      continue;
    }
    const key = `${routed.site.id}\u0000${routed.path}`;
    if (seen.has(key)) {
      bad.push({ index, source: item.source, code: 'BAD_USER_INPUT', message: `${JSON.stringify(source.slice(0, 300))} is listed twice.` });
      continue;
    }
    seen.add(key);
    siteIds.add(routed.site.id);
    planned.push({ source, target: remote.targetOf(routed.site, routed.path), sizeBytes: 0, item: index });
  }
  if (unknown.length) throw itemsError('SOURCE_NOT_FOUND', unknown);
  if (bad.length) throw itemsError('BAD_USER_INPUT', bad);
  return { planned, siteIds: [...siteIds].sort() };
}
