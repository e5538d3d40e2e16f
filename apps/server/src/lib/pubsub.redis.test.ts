import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';
import { createSharedPubSub, type LogEvent } from './pubsub';

/** Runs against a real Redis only when told where one is: TEST_REDIS_URL=redis://127.0.0.1:6379. */
const url = process.env.TEST_REDIS_URL;
const logger = createLogger('silent');

describe.skipIf(!url)('Redis pub/sub (REDIS_URL)', () => {
  const make = (prefix: string, subscribe = true) => createSharedPubSub({ databaseUrl: 'postgres://unused', redis: { url: url!, channelPrefix: prefix }, logger, subscribe });
  const event = (message: string): LogEvent => ({ id: '1', at: new Date(0).toISOString(), level: 'INFO', message, requestId: null, fileId: null, userId: null });

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
      await new Promise((r) => setTimeout(r, 100)); // SUBSCRIBE is asynchronous
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
    const a = make(`test-a-${randomBytes(4).toString('hex')}`);
    const b = make(`test-b-${randomBytes(4).toString('hex')}`);
    try {
      await Promise.all([a.ready(), b.ready()]);
      const got: LogEvent[] = [];
      const it = a.pubsub.subscribe('log:appended')[Symbol.asyncIterator]();
      void it.next().then((r) => r.value && got.push(r.value));
      await new Promise((r) => setTimeout(r, 100));
      b.pubsub.publish('log:appended', event('other deployment'));
      await new Promise((r) => setTimeout(r, 200));
      expect(got).toEqual([]);
      await it.return?.();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
