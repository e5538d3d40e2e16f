import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { beforeEach, describe, expect, it } from 'vitest';
import { redisUnavailable, testRedisUrl } from '../../test/redis';
import { createLogger } from './logger';
import { createSharedPubSub, type LogEvent } from './pubsub';

const logger = createLogger('silent');
const unavailable = await redisUnavailable();
// The default reporter shows a file's skip count, not its reason; this line says why.
if (unavailable && !process.env.CI) console.warn(`Redis pub/sub tests skipped: ${unavailable}`);

describe('Redis pub/sub (REDIS_URL)', () => {
  beforeEach((ctx) => {
    if (!unavailable) return;
    if (process.env.CI) throw new Error(`CI is set, so this suite must run, but ${unavailable}`);
    ctx.skip(unavailable);
  });

  const make = (prefix: string, subscribe = true) => createSharedPubSub({ databaseUrl: 'postgres://unused', redis: { url: testRedisUrl, channelPrefix: prefix }, logger, subscribe });
  const event = (message: string): LogEvent => ({ id: '1', at: new Date(0).toISOString(), level: 'INFO', message, requestId: null, fileId: null, userId: null });
  /** SUBSCRIBE is asynchronous: waits until Redis reports a subscriber on every channel. */
  const subscribed = async (channels: string[]) => {
    const probe = new Redis(testRedisUrl);
    try {
      for (;;) {
        const counts = (await probe.pubsub('NUMSUB', ...channels)) as (string | number)[]; // [channel, count, …]
        if (counts.every((v, i) => i % 2 === 0 || Number(v) > 0)) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      probe.disconnect();
    }
  };

  it('carries events between processes, keyed topics included', async () => {
    const prefix = `test-${randomBytes(4).toString('hex')}`;
    const api = make(prefix);
    const worker = make(prefix, false);
    try {
      await api.ready();
      expect(api.transport).toBe('redis');
      const logs = api.pubsub.subscribe('log:appended')[Symbol.asyncIterator]();
      const req = api.pubsub.subscribe('request:updated', 'r1')[Symbol.asyncIterator]();
      const nextLog = logs.next();
      const nextReq = req.next();
      await subscribed([`${prefix}:log:appended`, `${prefix}:request:updated:r1`]);
      worker.pubsub.publish('log:appended', event('from the worker'));
      worker.pubsub.publish('request:updated', 'r1', { id: 'r1' } as never);
      expect((await nextLog).value).toEqual(event('from the worker'));
      expect((await nextReq).value).toEqual({ id: 'r1' });
      await logs.return?.();
      await req.return?.();
    } finally {
      await api.close();
      await worker.close();
    }
  });

  it('keeps deployments with different channel prefixes apart', async () => {
    const prefixA = `test-a-${randomBytes(4).toString('hex')}`;
    const prefixB = `test-b-${randomBytes(4).toString('hex')}`;
    const a = make(prefixA);
    const b = make(prefixB);
    try {
      await Promise.all([a.ready(), b.ready()]);
      const inA = a.pubsub.subscribe('log:appended')[Symbol.asyncIterator]();
      const inB = b.pubsub.subscribe('log:appended')[Symbol.asyncIterator]();
      const nextA = inA.next();
      const nextB = inB.next();
      await subscribed([`${prefixA}:log:appended`, `${prefixB}:log:appended`]);
      b.pubsub.publish('log:appended', event('other deployment'));
      expect((await nextB).value).toEqual(event('other deployment'));
      // Redis has now delivered b's event; were a subscribed to it, it would reach a before a's own.
      a.pubsub.publish('log:appended', event('own deployment'));
      expect((await nextA).value).toEqual(event('own deployment'));
      await inA.return?.();
      await inB.return?.();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
