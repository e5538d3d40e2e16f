import type { EntityManager } from '@mikro-orm/postgresql';
import { LOG_LEVEL_ORDER, LOG_LEVELS, type LogLevel } from '@stagecoach/domain';
import type { LogEvent, PubSub } from '../../lib/pubsub';

export interface NewLogEntry {
  level: LogLevel;
  message: string;
  requestId?: string | null;
  fileId?: string | null;
  userId?: string | null;
  fields?: Record<string, unknown> | null;
}

/** Levels at or above `min`, for SQL `level = ANY(...)`. */
/** Most entries `logs(last:)` returns at once. */
export const LOGS_LAST_MAX = 10_000;

export const levelsFrom = (min: LogLevel): LogLevel[] => LOG_LEVELS.filter((l) => LOG_LEVEL_ORDER[l] >= LOG_LEVEL_ORDER[min]);

interface Row {
  id: string;
  at: Date | string;
  level: LogLevel;
  message: string;
  request_id: string | null;
  file_id: string | null;
  user_id: string | null;
}

const toEvent = (r: Row): LogEvent => ({
  id: String(r.id),
  at: new Date(r.at).toISOString(),
  level: r.level,
  message: r.message,
  requestId: r.request_id,
  fileId: r.file_id,
  userId: r.user_id,
});

/**
 * Product log: entries are stored first, then published, so a subscriber that reconnects and
 * reads `logs` never misses what it was sent. Bulk inserts keep 10,000-file requests cheap.
 */
export class LogsService {
  constructor(
    private readonly em: EntityManager,
    private readonly pubsub: PubSub,
  ) {}

  /** Stores entries in one statement (inside the caller's transaction when `em` is one) and returns them. */
  async insert(entries: NewLogEntry[], em: EntityManager = this.em): Promise<LogEvent[]> {
    if (entries.length === 0) return [];
    const json = JSON.stringify(
      entries.map((e) => ({
        level: e.level,
        message: e.message.slice(0, 4000),
        request_id: e.requestId ?? null,
        file_id: e.fileId ?? null,
        user_id: e.userId ?? null,
        fields: e.fields ?? null,
      })),
    );
    const rows = await em.getConnection().execute<Row[]>(
      `insert into log_entries (at, level, message, request_id, file_id, user_id, fields)
       select clock_timestamp(), t.level, t.message, t.request_id, t.file_id, t.user_id, t.fields
       from json_to_recordset(?::json) as t(level text, message text, request_id uuid, file_id uuid, user_id uuid, fields jsonb)
       returning id, at, level, message, request_id, file_id, user_id`,
      [json],
      'all',
      em.getTransactionContext(),
    );
    return rows.map(toEvent);
  }

  publish(events: LogEvent[]): void {
    for (const e of events) this.pubsub.publish('log:appended', e);
  }

  /** Insert + publish, for callers outside a transaction. */
  async append(entries: NewLogEntry[]): Promise<void> {
    this.publish(await this.insert(entries));
  }

  /** The last `last` entries at or above `minLevel`, oldest first; `userId` limits to one user's. */
  async recent(opts: { requestId?: string | null; userId?: string | null; minLevel: LogLevel; last: number }): Promise<LogEvent[]> {
    const where: string[] = ['level = any(?::text[])'];
    const params: unknown[] = [`{${levelsFrom(opts.minLevel).join(',')}}`];
    if (opts.requestId) {
      where.push('request_id = ?');
      params.push(opts.requestId);
    }
    if (opts.userId) {
      where.push('user_id = ?');
      params.push(opts.userId);
    }
    params.push(opts.last);
    const rows = await this.em.getConnection().execute<Row[]>(
      `select * from (select id, at, level, message, request_id, file_id, user_id from log_entries
        where ${where.join(' and ')} order by id desc limit ?) t order by id asc`,
      params,
    );
    return rows.map(toEvent);
  }
}
