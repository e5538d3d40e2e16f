import path from 'node:path';
import type { RucioSiteConfig, SiteConfig, WebdavSiteConfig } from './sites.config';

export type UrlSiteKind = 'WEBDAV' | 'RUCIO';
type UrlSite<K extends UrlSiteKind> = K extends 'WEBDAV' ? WebdavSiteConfig : RucioSiteConfig;

export interface RoutedSource<K extends UrlSiteKind = UrlSiteKind> {
  site: UrlSite<K>;
  /** WEBDAV: the absolute namespace path; RUCIO: the `scope:name` DID. */
  path: string;
}

/** Module-wide on purpose: patterns come from the sites file, a small fixed set, so compiling each once per process is enough. */
const compiled = new Map<string, RegExp>();
const re = (source: string): RegExp => {
  let r = compiled.get(source);
  if (!r) {
    // Anchored at the start: a pattern never matches in the middle of someone else's URL.
    r = new RegExp(source.startsWith('^') ? source : `^(?:${source})`);
    compiled.set(source, r);
  }
  return r;
};

/** Control characters and over-long values are never routed (they would end up in peer requests and logs). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f]/;

/**
 * Routes an absolute archive URL (SURL) or DID to the first configured site of `kind` whose
 * `urlPattern` matches, as StageIT routes SURLs by `surl_pattern`. A WEBDAV match must map to a
 * normalised namespace path below the site's root caveat (anything else could never be read with
 * the request's macaroon). Null when no site takes it.
 */
export function routeSource<K extends UrlSiteKind>(sites: readonly SiteConfig[], kind: K, source: string): RoutedSource<K> | null {
  const s = source.trim();
  if (!s || s.length > 4096 || UNSAFE.test(s)) return null;
  for (const site of sites) {
    if (site.kind !== kind || !re(site.urlPattern).test(s)) continue;
    if (site.kind === 'RUCIO') return { site: site as UrlSite<K>, path: s };
    if (site.kind !== 'WEBDAV') continue;
    let ns = s.replace(re(site.namespacePath.from), site.namespacePath.to);
    const q = ns.indexOf('?');
    if (q >= 0) ns = ns.slice(0, q);
    try {
      ns = decodeURIComponent(ns);
    } catch {
      continue;
    }
    if (!ns.startsWith('/') || path.posix.normalize(ns) !== ns || ns.endsWith('/')) continue;
    const root = site.rootCaveatPath.replace(/\/+$/, '');
    if (!ns.startsWith(`${root}/`)) continue;
    return { site: site as UrlSite<K>, path: ns };
  }
  return null;
}

/** True when some configured site can take sources of this kind (URL-sourced methods are offered only then). */
export const hasUrlSites = (sites: readonly SiteConfig[], kind: UrlSiteKind): boolean => sites.some((s) => s.kind === kind);
