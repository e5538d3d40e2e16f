import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/env';
import type { PosixSiteConfig } from '../sites/sites.config';
import { formatBytes, needsSpaceCheck, siteLifecycle } from './lifecycle.config';

const site = (extra: Partial<PosixSiteConfig> = {}): PosixSiteConfig => ({ id: 'users', kind: 'POSIX', root: '/tmp/x', roles: ['target'], default: false, ...extra });

describe('lifecycle configuration', () => {
  it('reads ISO-8601 durations and quotas from the environment', () => {
    const c = loadConfig({ RETENTION_DEFAULT: 'P7D', EXPIRY_WARNING: 'PT12H', EXTEND_MAX: 'P2W', QUOTA_BYTES_PER_SITE: '1000', QUOTA_ACTIVE_REQUESTS: '3' });
    expect(c.lifecycle).toMatchObject({ retentionMs: 7 * 86_400_000, warnBeforeMs: 12 * 3_600_000, extendMaxMs: 14 * 86_400_000, sweepCron: '*/10 * * * *' });
    expect(c.quotas).toEqual({ bytesPerSite: 1000, activeRequests: 3 });
    expect(loadConfig({}).quotas).toEqual({ bytesPerSite: null, activeRequests: null });
  });

  it('lists every bad lifecycle variable at once', () => {
    try {
      loadConfig({ RETENTION_DEFAULT: 'one month', LIFECYCLE_SWEEP_CRON: 'hourly', QUOTA_ACTIVE_REQUESTS: '0' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const names = (e as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(names).toEqual(expect.arrayContaining(['RETENTION_DEFAULT', 'LIFECYCLE_SWEEP_CRON', 'QUOTA_ACTIVE_REQUESTS']));
    }
  });

  it("fills a site's settings from the defaults, its own values winning", () => {
    const config = loadConfig({ RETENTION_DEFAULT: 'P3D' });
    expect(siteLifecycle(site(), config)).toEqual({ retentionMs: 3 * 86_400_000, cache: false, sharedCache: false, idleAfterMs: 86_400_000, capacityBytes: null, reserveBytes: 0 });
    expect(needsSpaceCheck(siteLifecycle(site(), config))).toBe(false);
    const cache = siteLifecycle(site({ retention: 'PT6H', cache: true, evictIdleAfter: 'PT1H', capacityBytes: 5000 }), config);
    expect(cache).toMatchObject({ retentionMs: 6 * 3_600_000, cache: true, idleAfterMs: 3_600_000, capacityBytes: 5000 });
    expect(needsSpaceCheck(cache)).toBe(true);
  });

  it('formats sizes for messages', () => {
    expect(formatBytes(500)).toBe('500 bytes');
    expect(formatBytes(3000)).toBe('2.9 KiB');
    expect(formatBytes(5_000_000)).toBe('4.8 MiB');
  });
});
