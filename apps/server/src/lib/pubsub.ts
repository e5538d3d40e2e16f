import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub as YogaPubSub, type PubSubEventTarget } from '@graphql-yoga/subscription';
import { Redis } from 'ioredis';
import type { FileStatus, LogLevel, RequestStatus, StagingMethod } from '@stagecoach/domain';
import type { Logger } from './logger';
import { createPgEventTarget } from './pg-event-target';

/** What subscribers of one request receive: a plain, serialisable snapshot (it may cross processes). */
export interface RequestSnapshot {
  id: string;
  /** The per-installation sequential number; absent in snapshots from older processes. */
  number?: number;
  ownerId: string;
  method: StagingMethod;
  status: RequestStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  expiresAt: string | null;
  /** When the results were removed, and why (modules/lifecycle); absent in snapshots from older processes. */
  expiredAt?: string | null;
  expiryReason?: string | null;
  filesTotal: number;
  filesDone: number;
  filesSkipped: number;
  filesFailed: number;
  filesCancelled: number;
  bytesTotal: number;
  bytesDone: number;
  linkVersion: number;
}

export interface LogEvent {
  id: string;
  at: string;
  level: LogLevel;
  message: string;
  requestId: string | null;
  fileId: string | null;
  userId: string | null;
}

export interface FileEvent {
  requestId: string;
  fileId: string;
  status: FileStatus;
}

/** Typed topics. `request:updated` is keyed by request id so subscribers get only their request. */
export type Topics = {
  'request:updated': [requestId: string, payload: RequestSnapshot];
  'log:appended': [payload: LogEvent];
  /** What a user may do changed (role, status, sign-out, token revoked): see modules/auth/auth-epochs.ts. */
  'auth:changed': [payload: { userId: string; origin?: string }];
};

export type PubSub = YogaPubSub<Topics>;

/**
 * In-process pub/sub: one process only (unit tests). Deployments use `createSharedPubSub`, whose
 * event targets carry the same events between replicas; publishers and subscribers do not change.
 */
export function createInProcessPubSub(): PubSub {
  return createPubSub<Topics>();
}

/** A pub/sub whose events reach every process sharing the database (or Redis). */
export interface SharedPubSub {
  readonly pubsub: PubSub;
  readonly transport: 'postgres' | 'redis';
  /** Resolves once this process receives other processes' events (bounded wait at start-up). */
  ready(): Promise<void>;
  /**
   * Runs `cb` with the topics subscribed here after the transport came back from an outage:
   * events published during the gap were missed, so subscribers should be sent fresh state.
   */
  onResync(cb: (topics: string[]) => void): void;
  close(): Promise<void>;
}

export interface SharedPubSubOptions {
  /** PostgreSQL connection string (LISTEN/NOTIFY), used unless `redis` is given. */
  databaseUrl: string;
  redis?: { url: string; channelPrefix: string };
  logger: Logger;
  /** Whether this process serves subscriptions (api/all); workers only publish. */
  subscribe: boolean;
}

/**
 * The cross-replica pub/sub of a deployment: Redis when configured, else PostgreSQL LISTEN/NOTIFY
 * on the application database — the default because the database is shared by every replica anyway.
 */
export function createSharedPubSub(opts: SharedPubSubOptions): SharedPubSub {
  if (opts.redis) return createRedisPubSub(opts.redis, opts.logger, opts.subscribe);
  const target = createPgEventTarget({ connectionString: opts.databaseUrl, logger: opts.logger, listen: opts.subscribe });
  return {
    pubsub: createPubSub<Topics>({ eventTarget: target as unknown as PubSubEventTarget<Topics> }),
    transport: 'postgres',
    ready: () => target.ready(),
    onResync: (cb) => target.onResync(cb),
    close: () => target.close(),
  };
}

type ListenerLike = ((event: Event) => void) | { handleEvent(event: Event): void };

function createRedisPubSub(redis: { url: string; channelPrefix: string }, logger: Logger, subscribe: boolean): SharedPubSub {
  const log = logger.child({ module: 'pubsub', transport: 'redis' });
  const prefix = `${redis.channelPrefix}:`;
  // ioredis reconnects (and re-subscribes) by itself; a command issued meanwhile waits in its queue.
  const publisher = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscriber = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: null });
  for (const [name, c] of [
    ['publisher', publisher],
    ['subscriber', subscriber],
  ] as const) {
    c.on('error', (err: Error) => log.warn({ err, connection: name }, 'Redis connection problem; ioredis keeps retrying'));
  }
  const resyncs: ((topics: string[]) => void)[] = [];
  const topics = new Set<string>();
  let everReady = false;
  subscriber.on('ready', () => {
    if (everReady) for (const cb of resyncs) cb([...topics]);
    everReady = true;
  });
  const inner = createRedisEventTarget({
    // The library drops publish()'s promise; a rejection there would be unhandled and end the
    // process, so publishing goes through this guard (it only ever calls `publish`).
    publishClient: {
      publish: (channel: string, message: string) =>
        publisher.publish(channel, message).catch((err: unknown) => {
          log.warn({ err }, 'could not publish a live event; subscribers catch up from the database');
          return 0;
        }),
    } as unknown as Redis,
    subscribeClient: subscriber,
  });
  const ready = subscribe
    ? subscriber.connect().catch((err: unknown) => log.warn({ err }, 'Redis not reachable yet'))
    : Promise.resolve();
  // Channels are global in Redis (not per db number): the prefix keeps deployments apart.
  const target = {
    addEventListener(type: string, l: ListenerLike | null) {
      topics.add(type);
      inner.addEventListener(prefix + type, l as never);
    },
    removeEventListener(type: string, l: ListenerLike | null) {
      inner.removeEventListener(prefix + type, l as never);
    },
    dispatchEvent(event: Event) {
      return inner.dispatchEvent(
        new CustomEvent(prefix + event.type, { detail: (event as CustomEvent).detail as unknown }) as never,
      );
    },
  };
  return {
    pubsub: createPubSub<Topics>({ eventTarget: target as unknown as PubSubEventTarget<Topics> }),
    transport: 'redis',
    ready: async () => void (await ready),
    onResync: (cb) => resyncs.push(cb),
    async close() {
      await Promise.allSettled([
        publisher.quit(),
        subscriber.status === 'wait' ? Promise.resolve(subscriber.disconnect()) : subscriber.quit(),
      ]);
    },
  };
}
