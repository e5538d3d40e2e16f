import type { StagingMethod } from '@stagecoach/domain';
import type { Config } from '../../config/env';
import { parseDuration } from '../../lib/duration';
import type { PosixSiteConfig } from '../sites/sites.config';

/** Methods whose results are entries in a user area: what expiry removes. */
export const USER_AREA_METHODS: ReadonlySet<StagingMethod> = new Set<StagingMethod>(['LOCAL_COPY', 'LOCAL_SYMLINK', 'LOCAL_HARDLINK']);
/** Methods whose results take space of their own on the target site (links share the archive's blocks). */
export const SPACE_METHODS: ReadonlySet<StagingMethod> = new Set<StagingMethod>(['LOCAL_COPY']);

/** A site's lifecycle settings with the configured defaults filled in. */
export interface SiteLifecycle {
  /** How long staged results stay after their request finished. */
  retentionMs: number;
  /** Old results may be evicted when space runs short. */
  cache: boolean;
  /** On a cache: other users' unexpired idle results may be evicted too. */
  sharedCache: boolean;
  /** Not accessed for this long = idle (evictable on a cache). */
  idleAfterMs: number;
  /** Usable size (free = min(disk free − reserve, capacity − bytes held)); null = the disk's. */
  capacityBytes: number | null;
  /** Bytes to keep free on the file system. */
  reserveBytes: number;
}

const DEFAULT_IDLE_AFTER_MS = 86_400_000;

/** Reads the optional lifecycle fields of a site (validated when SITES_FILE was loaded). */
export function siteLifecycle(site: PosixSiteConfig, config: Pick<Config, 'lifecycle'>): SiteLifecycle {
  return {
    retentionMs: (site.retention ? parseDuration(site.retention) : null) ?? config.lifecycle.retentionMs,
    cache: site.cache ?? false,
    sharedCache: site.sharedCache ?? false,
    idleAfterMs: (site.evictIdleAfter ? parseDuration(site.evictIdleAfter) : null) ?? DEFAULT_IDLE_AFTER_MS,
    capacityBytes: site.capacityBytes ?? null,
    reserveBytes: site.reserveBytes ?? 0,
  };
}

/** Whether staging onto the site needs a space check before each copy (off by default: zero cost). */
export const needsSpaceCheck = (lc: SiteLifecycle): boolean => lc.cache || lc.capacityBytes !== null || lc.reserveBytes > 0;

/** `1.5 GiB`-style sizes for messages. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
