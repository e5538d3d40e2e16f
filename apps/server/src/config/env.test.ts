import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './env';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(4000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.publicUrl).toBe('http://127.0.0.1:4000');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir.endsWith('.stagecoach')).toBe(true);
    expect(c.allowedMethods).toContain('LOCAL_COPY');
    expect(c.oidc).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reports every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', ALLOWED_METHODS: 'LOCAL_COPY,TELEPORT', WORKER_CONCURRENCY: '0', ADMIN_EMAILS: 'not-an-email', SMTP_URL: 'nope' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const names = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(expect.arrayContaining(['PORT', 'ALLOWED_METHODS', 'WORKER_CONCURRENCY', 'ADMIN_EMAILS', 'SMTP_URL']));
    expect((error as ConfigError).message).toContain('PORT');
  });

  it('does not echo secret values in its report', () => {
    expect(() => loadConfig({ SESSION_SECRET: 'short-secret' })).toThrow(ConfigError);
    try {
      loadConfig({ SESSION_SECRET: 'short-secret' });
    } catch (e) {
      expect((e as Error).message).not.toContain('short-secret');
    }
  });

  it('limits the methods to ALLOWED_METHODS', () => {
    expect(loadConfig({ ALLOWED_METHODS: 'LOCAL_COPY, DIRECT_DOWNLOAD' }).allowedMethods).toEqual(['LOCAL_COPY', 'DIRECT_DOWNLOAD']);
  });

  it("takes ALLOWED_METHODS as SKAO's Helm chart writes it: a JSON list of lower-case names", () => {
    const skao = '["local_copy", "local_symlink", "direct_download", "jupyter_copy"]';
    expect(loadConfig({ ALLOWED_METHODS: skao }).allowedMethods).toEqual(['LOCAL_COPY', 'LOCAL_SYMLINK', 'DIRECT_DOWNLOAD', 'JUPYTER_COPY']);
    expect(loadConfig({ ALLOWED_METHODS: '["symlink_copy", "local_copy", "LOCAL_COPY"]' }).allowedMethods).toEqual(['LOCAL_SYMLINK', 'LOCAL_COPY']);
    expect(() => loadConfig({ ALLOWED_METHODS: '["local_copy", "teleport"]' })).toThrow(/ALLOWED_METHODS: unknown method teleport/);
    expect(() => loadConfig({ ALLOWED_METHODS: '["local_copy",' })).toThrow(/ALLOWED_METHODS: expected a JSON list/);
    expect(() => loadConfig({ ALLOWED_METHODS: '[1]' })).toThrow(/ALLOWED_METHODS: expected a JSON list/);
  });

  it('refuses the development IdP and a missing session secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/OIDC_ISSUER[^]*SESSION_SECRET/);
  });

  it('takes the LOCAL_COPY pause test seam outside production only', () => {
    expect(loadConfig({}).testPauseLocalCopyAfterBytes).toBeUndefined();
    expect(loadConfig({ TEST_PAUSE_LOCAL_COPY_AFTER_BYTES: '1048576' }).testPauseLocalCopyAfterBytes).toBe(1_048_576);
    const production = { NODE_ENV: 'production', OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'sc', SESSION_SECRET: 'x'.repeat(32) };
    expect(loadConfig(production).testPauseLocalCopyAfterBytes).toBeUndefined();
    expect(() => loadConfig({ ...production, TEST_PAUSE_LOCAL_COPY_AFTER_BYTES: '1048576' })).toThrow(/TEST_PAUSE_LOCAL_COPY_AFTER_BYTES: a test seam, refused in production/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(4000);
  });

  it('parses durations', () => {
    expect(loadConfig({ DOWNLOAD_LINK_TTL: '15m' }).downloadLinkTtlMs).toBe(900_000);
    expect(loadConfig({ SESSION_TTL: 'P7D' }).sessionTtlMs).toBe(7 * 86_400_000);
    expect(loadConfig({ COMPAT_WAIT: '45' }).compatWaitMs).toBe(45_000);
    expect(() => loadConfig({ DOWNLOAD_LINK_TTL: 'soon' })).toThrow(/DOWNLOAD_LINK_TTL/);
    expect(() => loadConfig({ SESSION_TTL: '7 days' })).toThrow('SESSION_TTL: expected a duration such as 30s, 15m, 12h, 7d, P14D or PT12H (got "7 days")');
  });
});

describe('loadConfig: deployment', () => {
  it('uses PostgreSQL for live updates unless REDIS_URL is set', () => {
    expect(loadConfig({}).redis).toBeUndefined();
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379/2' }).redis).toEqual({ url: 'redis://cache:6379/2', channelPrefix: 'stagecoach' });
    expect(loadConfig({ REDIS_URL: 'rediss://cache:6380', REDIS_CHANNEL_PREFIX: 'prod-eu' }).redis?.channelPrefix).toBe('prod-eu');
    expect(() => loadConfig({ REDIS_URL: 'http://cache:6379' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ REDIS_CHANNEL_PREFIX: 'has space' })).toThrow(/REDIS_CHANNEL_PREFIX/);
  });

  it('parses TRUST_PROXY into what Express expects', () => {
    expect(loadConfig({}).trustProxy).toBe('loopback');
    expect(loadConfig({ TRUST_PROXY: 'loopback,uniquelocal' }).trustProxy).toBe('loopback,uniquelocal');
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(() => loadConfig({ TRUST_PROXY: 'evil;rm' })).toThrow(/TRUST_PROXY/);
  });

  it('accepts the three roles only', () => {
    for (const role of ['api', 'worker', 'all'] as const) expect(loadConfig({ ROLE: role }).role).toBe(role);
    expect(() => loadConfig({ ROLE: 'both' })).toThrow(/ROLE/);
  });
});
