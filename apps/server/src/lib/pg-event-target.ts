import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Logger } from './logger';

/** The one NOTIFY channel of a database; topics travel inside the payload. */
export const PG_CHANNEL = 'stagecoach_events';

/**
 * NOTIFY refuses payloads of 8000 bytes or more (the default build's limit). Messages longer than
 * this are split into numbered pieces and put back together by the listeners.
 */
export const PG_MAX_PAYLOAD_BYTES = 7_900;

/** Publishes buffered while the database is away; beyond this the oldest are dropped (state stays in the DB). */
const MAX_QUEUED = 10_000;
/** Notifications sent per round trip (one statement, one transaction, so they stay in order). */
const MAX_BATCH = 500;
/** Incomplete multi-piece messages are forgotten after this long (their sender died mid-way). */
const PIECES_TTL_MS = 30_000;
/** How often the listening connection proves it is alive; a silent network drop is found this way. */
const PING_MS = 15_000;

type Callback = (event: CustomEvent) => void;
type ListenerLike = Callback | { handleEvent: Callback };

export interface PgEventTargetOptions {
  connectionString: string;
  logger: Logger;
  /** Open the LISTEN connection (processes that serve subscriptions); publish-only otherwise. */
  listen: boolean;
  channel?: string;
  /** Called after the LISTEN connection came back from a loss: events in the gap were missed. */
  onResync?: (topics: string[]) => void;
}

export interface PgEventTarget {
  addEventListener(type: string, listener: ListenerLike | null): void;
  removeEventListener(type: string, listener: ListenerLike | null): void;
  dispatchEvent(event: Event): boolean;
  /** Resolves once LISTEN is active (immediately for publish-only targets). */
  ready(): Promise<void>;
  /** Resolves when every publish queued so far has been sent (or dropped). */
  drain(): Promise<void>;
  /** Registers a callback run after the LISTEN connection was re-established. */
  onResync(cb: (topics: string[]) => void): void;
  /** Topics that have local listeners right now. */
  topics(): string[];
  close(): Promise<void>;
}

/** Escapes every non-ASCII character, so the JSON's length in characters is its length in bytes. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value ?? null).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `origin msgId index count topic` + newline + piece; origin and msgId are hex, the topic has no newline. */
export function encodeMessages(origin: string, msgId: string, topic: string, detail: unknown, max = PG_MAX_PAYLOAD_BYTES): string[] {
  const json = asciiJson(detail);
  const safeTopic = topic.replace(/[\r\n]/g, ' ');
  const header = (i: number, n: number) => `${origin} ${msgId} ${i} ${n} ${safeTopic}\n`;
  // Headers grow with the piece count's digits; size the pieces for the longest header.
  const room = max - Buffer.byteLength(header(99_999, 99_999));
  if (room < 256) throw new Error(`topic too long for NOTIFY: ${topic.slice(0, 80)}`);
  if (json.length + Buffer.byteLength(header(0, 1)) <= max) return [header(0, 1) + json];
  const n = Math.ceil(json.length / room);
  return Array.from({ length: n }, (_, i) => header(i, n) + json.slice(i * room, (i + 1) * room));
}

interface Parsed {
  origin: string;
  msgId: string;
  index: number;
  count: number;
  topic: string;
  body: string;
}

export function parseMessage(payload: string): Parsed | null {
  const nl = payload.indexOf('\n');
  if (nl < 0) return null;
  const head = payload.slice(0, nl);
  const m = /^([0-9a-f]+) ([0-9a-f]+) (\d+) (\d+) (.+)$/.exec(head);
  if (!m) return null;
  return { origin: m[1]!, msgId: m[2]!, index: Number(m[3]), count: Number(m[4]), topic: m[5]!, body: payload.slice(nl + 1) };
}

/**
 * A cross-process EventTarget for `@graphql-yoga/subscription`'s createPubSub on PostgreSQL
 * LISTEN/NOTIFY: every replica that shares the database sees every event. Events reach this
 * process's own listeners at once (no round trip, and they keep working while the database is
 * away); copies that come back through NOTIFY carry our origin id and are ignored.
 *
 * Why a dedicated connection for LISTEN: a LISTEN belongs to one session, and a pooled connection
 * is handed to other queries and may be closed at any time. Publishing uses a separate one-
 * connection pool so a slow notification stream never delays a publish and vice versa.
 */
export function createPgEventTarget(opts: PgEventTargetOptions): PgEventTarget {
  const channel = opts.channel ?? PG_CHANNEL;
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid NOTIFY channel name ${channel}`);
  const log = opts.logger.child({ module: 'pubsub', transport: 'postgres' });
  const origin = randomBytes(6).toString('hex');
  let nextMsg = 0;
  const callbacks = new Map<string, Set<Callback>>();
  const resyncs: ((topics: string[]) => void)[] = opts.onResync ? [opts.onResync] : [];
  let closed = false;

  const deliver = (topic: string, detail: unknown) => {
    const set = callbacks.get(topic);
    if (!set) return;
    const event = new CustomEvent(topic, { detail });
    for (const cb of [...set]) {
      // One failing subscriber (e.g. a full buffer) must not starve the others.
      try {
        cb(event);
      } catch (err) {
        log.warn({ err, topic }, 'a subscriber failed to take an event');
      }
    }
  };

  // ---- publishing ----
  const pool = new pg.Pool({ connectionString: opts.connectionString, max: 1, keepAlive: true, application_name: 'stagecoach-notify', idleTimeoutMillis: 60_000 });
  pool.on('error', (err) => log.warn({ err }, 'publishing connection lost; it is reopened on the next event'));
  let queue: string[] = [];
  let sending: Promise<void> | null = null;
  let dropped = 0;

  const sendBatch = async (batch: string[]) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await pool.query('select pg_notify($1, p) from unnest($2::text[]) as p', [channel, batch]);
        return;
      } catch (err) {
        if (attempt >= 3 || closed) {
          log.warn({ err, events: batch.length }, 'could not publish live events; subscribers catch up from the database');
          return;
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  };
  const pump = () => {
    if (sending || queue.length === 0) return;
    sending = (async () => {
      while (queue.length) {
        const batch = queue.slice(0, MAX_BATCH);
        queue = queue.slice(batch.length);
        await sendBatch(batch);
      }
    })().finally(() => {
      sending = null;
      pump();
    });
  };

  // ---- listening ----
  let client: pg.Client | null = null;
  let everConnected = false;
  let backoff = 250;
  let readyResolve!: () => void;
  const readyPromise = opts.listen ? new Promise<void>((r) => (readyResolve = r)) : Promise.resolve();
  let reconnectTimer: NodeJS.Timeout | undefined;
  let pingTimer: NodeJS.Timeout | undefined;
  const pieces = new Map<string, { at: number; parts: (string | undefined)[]; got: number }>();

  const onPayload = (payload: string) => {
    const m = parseMessage(payload);
    if (!m || m.origin === origin) return;
    if (!callbacks.has(m.topic)) return; // nobody here cares: skip parsing altogether
    let body = m.body;
    if (m.count > 1) {
      const key = `${m.origin}/${m.msgId}`;
      let entry = pieces.get(key);
      if (!entry) {
        const now = Date.now();
        for (const [k, v] of pieces) if (now - v.at > PIECES_TTL_MS) pieces.delete(k);
        entry = { at: now, parts: new Array<string | undefined>(m.count), got: 0 };
        pieces.set(key, entry);
      }
      if (entry.parts[m.index] === undefined) entry.got++;
      entry.parts[m.index] = m.body;
      if (entry.got < m.count) return;
      pieces.delete(key);
      body = entry.parts.join('');
    }
    let detail: unknown;
    try {
      detail = JSON.parse(body);
    } catch (err) {
      log.warn({ err, topic: m.topic }, 'dropped an unreadable live event');
      return;
    }
    deliver(m.topic, detail);
  };

  const scheduleReconnect = () => {
    if (closed || reconnectTimer) return;
    const delay = backoff;
    backoff = Math.min(backoff * 2, 10_000);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void connect();
    }, delay);
    reconnectTimer.unref();
  };

  const drop = (c: pg.Client) => {
    if (client !== c) return;
    client = null;
    clearInterval(pingTimer);
    c.removeAllListeners('notification');
    void c.end().catch(() => undefined);
    scheduleReconnect();
  };

  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: opts.connectionString, keepAlive: true, application_name: `stagecoach-listen-${origin}` });
    c.on('error', (err) => {
      log.warn({ err }, 'live-event connection lost; reconnecting');
      drop(c);
    });
    c.on('end', () => drop(c));
    c.on('notification', (n) => {
      if (n.channel === channel && n.payload) onPayload(n.payload);
    });
    client = c;
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch (err) {
      log.warn({ err, retryInMs: backoff }, 'cannot listen for live events yet; retrying');
      drop(c);
      return;
    }
    if (closed || client !== c) {
      await c.end().catch(() => undefined);
      return;
    }
    backoff = 250;
    pingTimer = setInterval(() => {
      // A query that does not come back means a dead peer the kernel has not noticed yet.
      const timeout = setTimeout(() => drop(c), 10_000);
      c.query('select 1').then(
        () => clearTimeout(timeout),
        () => {
          clearTimeout(timeout);
          drop(c);
        },
      );
    }, PING_MS);
    pingTimer.unref();
    if (everConnected) {
      const topics = [...callbacks.keys()];
      log.info({ topics: topics.length }, 'listening for live events again; resynchronising subscribers');
      for (const cb of resyncs) {
        try {
          cb(topics);
        } catch (err) {
          log.warn({ err }, 'resync callback failed');
        }
      }
    }
    everConnected = true;
    readyResolve();
  };
  if (opts.listen) void connect();

  const callbackOf = (l: ListenerLike): Callback => ('handleEvent' in l ? l.handleEvent.bind(l) : l);
  // removeEventListener must find the same function addEventListener stored.
  const bound = new WeakMap<object, Callback>();
  const keyOf = (l: ListenerLike): Callback => {
    if (typeof l === 'function') return l;
    let cb = bound.get(l);
    if (!cb) bound.set(l, (cb = callbackOf(l)));
    return cb;
  };

  return {
    addEventListener(type, listener) {
      if (!listener) return;
      let set = callbacks.get(type);
      if (!set) callbacks.set(type, (set = new Set()));
      set.add(keyOf(listener));
    },
    removeEventListener(type, listener) {
      if (!listener) return;
      const set = callbacks.get(type);
      if (!set) return;
      set.delete(keyOf(listener));
      if (set.size === 0) callbacks.delete(type);
    },
    dispatchEvent(event) {
      const detail = (event as CustomEvent).detail as unknown;
      deliver(event.type, detail);
      if (closed) return true;
      const msgId = (nextMsg++).toString(16);
      for (const p of encodeMessages(origin, msgId, event.type, detail)) queue.push(p);
      if (queue.length > MAX_QUEUED) {
        const over = queue.length - MAX_QUEUED;
        queue = queue.slice(over);
        dropped += over;
        if (dropped === over || dropped % 1000 < over) log.warn({ dropped }, 'live-event queue full (database unreachable?); dropping the oldest');
      }
      pump();
      return true;
    },
    ready: () => readyPromise,
    async drain() {
      while (sending) await sending;
    },
    onResync(cb) {
      resyncs.push(cb);
    },
    topics: () => [...callbacks.keys()],
    async close() {
      if (closed) return;
      // Let already-published events go out first (e.g. a final snapshot at shutdown).
      await Promise.race([this.drain(), new Promise((r) => setTimeout(r, 2000))]);
      closed = true;
      clearTimeout(reconnectTimer);
      clearInterval(pingTimer);
      const c = client;
      client = null;
      if (c) {
        c.removeAllListeners('notification');
        await c.end().catch(() => undefined);
      }
      await pool.end().catch(() => undefined);
    },
  };
}
