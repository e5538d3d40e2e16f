import { Redis } from 'ioredis';

/** The Redis that tests use: REDIS_URL, else the usual local one. */
export const testRedisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/**
 * One PING with a short timeout and no retries. Resolves with why Redis is unusable, or undefined
 * when it answers; the caller decides whether that is a skip (on a laptop) or a failure (in CI,
 * where a Redis is always provided and a silent skip would hide the suite).
 */
export async function redisUnavailable(url = testRedisUrl): Promise<string | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    commandTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // The 'error' event carries the cause (ECONNREFUSED, NOAUTH…); the rejection only says "closed".
  let cause: Error | undefined;
  client.on('error', (err: Error) => (cause ??= err));
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (err) {
    const shown = new URL(url);
    if (shown.password) shown.password = '***';
    return `no Redis answers at ${shown.href} (${(cause ?? (err as Error)).message}); set REDIS_URL or start one on 127.0.0.1:6379`;
  } finally {
    client.disconnect();
  }
}
