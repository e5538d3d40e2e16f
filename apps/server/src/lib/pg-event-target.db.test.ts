import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/db';
import { createLogger } from './logger';
import { createPgEventTarget, encodeMessages, parseMessage, PG_MAX_PAYLOAD_BYTES, type PgEventTarget } from './pg-event-target';
import { createSharedPubSub, type LogEvent, type RequestSnapshot } from './pubsub';

const logger = createLogger('silent');
let db: TestDatabase;
const targets: PgEventTarget[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(targets.map((t) => t.close()));
});

function target(listen = true): PgEventTarget {
  const t = createPgEventTarget({ connectionString: db.url, logger, listen });
  targets.push(t);
  return t;
}

/** Collects the details of one topic's events on a target. */
function collect(t: PgEventTarget, topic: string): unknown[] {
  const got: unknown[] = [];
  t.addEventListener(topic, (e) => got.push(e.detail));
  return got;
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const logEvent = (message: string): LogEvent => ({ id: '1', at: new Date(0).toISOString(), level: 'INFO', message, requestId: null, fileId: null, userId: null });

describe('encodeMessages', () => {
  it('keeps every piece under the NOTIFY limit, even for multi-byte text', () => {
    const detail = { message: '✓ ünïcödé 𝄞 '.repeat(3000) };
    const parts = encodeMessages('ab12', '7', 'log:appended', detail);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(PG_MAX_PAYLOAD_BYTES);
    const body = parts.map((p) => parseMessage(p)!.body).join('');
    expect(JSON.parse(body)).toEqual(detail);
  });

  it('sends a small event as one message', () => {
    const [only, ...rest] = encodeMessages('ab12', '0', 'request:updated:x', { a: 1 });
    expect(rest).toEqual([]);
    expect(parseMessage(only!)).toMatchObject({ origin: 'ab12', count: 1, topic: 'request:updated:x', body: '{"a":1}' });
  });
});

describe('PostgreSQL event target', () => {
  it('delivers an event to another process-like target and once to local listeners', async () => {
    const a = target();
    const b = target();
    await Promise.all([a.ready(), b.ready()]);
    const onA = collect(a, 'log:appended');
    const onB = collect(b, 'log:appended');
    a.dispatchEvent(new CustomEvent('log:appended', { detail: logEvent('hello') }));
    await until(() => onB.length === 1);
    await a.drain();
    await new Promise((r) => setTimeout(r, 100)); // the echo through NOTIFY must not duplicate it
    expect(onA).toEqual([logEvent('hello')]);
    expect(onB).toEqual([logEvent('hello')]);
  });

  it('reassembles events larger than the 8000-byte NOTIFY limit, in order', async () => {
    const a = target(false);
    const b = target();
    await b.ready();
    const got = collect(b, 'log:appended');
    const big = logEvent('é'.repeat(4000) + 'x'.repeat(20_000));
    for (let i = 0; i < 3; i++) a.dispatchEvent(new CustomEvent('log:appended', { detail: { ...big, id: String(i) } }));
    await until(() => got.length === 3);
    expect(got.map((e) => (e as LogEvent).id)).toEqual(['0', '1', '2']);
    expect(got[0]).toEqual({ ...big, id: '0' });
  });

  it('delivers only the subscribed topics and stops after removeEventListener', async () => {
    const a = target(false);
    const b = target();
    await b.ready();
    const got: unknown[] = [];
    const cb = (e: CustomEvent) => got.push(e.detail);
    b.addEventListener('request:updated:r1', cb);
    a.dispatchEvent(new CustomEvent('request:updated:r2', { detail: { n: 0 } }));
    a.dispatchEvent(new CustomEvent('request:updated:r1', { detail: { n: 1 } }));
    await until(() => got.length === 1);
    b.removeEventListener('request:updated:r1', cb);
    a.dispatchEvent(new CustomEvent('request:updated:r1', { detail: { n: 2 } }));
    await a.drain();
    await new Promise((r) => setTimeout(r, 150));
    expect(got).toEqual([{ n: 1 }]);
  });

  it('reconnects after its LISTEN connection is killed and asks subscribers to resynchronise', async () => {
    const a = target(false);
    const b = target();
    await b.ready();
    const got = collect(b, 'log:appended');
    const resynced: string[][] = [];
    b.onResync((topics) => resynced.push(topics));
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const killed = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name like 'stagecoach-listen-%' and datname = current_database()`);
    await admin.end();
    expect(killed.rowCount).toBeGreaterThan(0);
    await until(() => resynced.length > 0, 10_000);
    expect(resynced[0]).toContain('log:appended');
    a.dispatchEvent(new CustomEvent('log:appended', { detail: logEvent('after the outage') }));
    await until(() => got.length === 1);
    expect((got[0] as LogEvent).message).toBe('after the outage');
  });

  it('plugs into createPubSub so typed publish/subscribe cross processes', async () => {
    const one = createSharedPubSub({ databaseUrl: db.url, logger, subscribe: true });
    const two = createSharedPubSub({ databaseUrl: db.url, logger, subscribe: false });
    try {
      await one.ready();
      expect(one.transport).toBe('postgres');
      const it = one.pubsub.subscribe('request:updated', 'req-1')[Symbol.asyncIterator]();
      const next = it.next();
      const snap = { id: 'req-1', status: 'RUNNING', filesDone: 3 } as unknown as RequestSnapshot;
      two.pubsub.publish('request:updated', 'req-1', snap);
      expect((await next).value).toEqual(snap);
      await it.return?.();
    } finally {
      await one.close();
      await two.close();
    }
  });
});
