import { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config/env';
import type { Logger } from '../lib/logger';
import type { EmbeddedDb } from './embedded-postgres';
import { ormConfig } from './mikro-orm.config';

export interface Database {
  readonly orm: MikroORM;
  /** Connection string (for graphile-worker, sessions and LISTEN/NOTIFY, which use `pg` directly). */
  readonly url: string;
  close(): Promise<void>;
}

/** Where DATABASE_URL points, for messages: host, port and database, never the credentials. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

/**
 * Connects to DATABASE_URL, or starts/reuses the embedded cluster under DATA_DIR when it is unset.
 * An external database that does not answer yet (a pod that starts before its database) is tried
 * again DATABASE_CONNECT_ATTEMPTS times in all, waiting DATABASE_CONNECT_WAIT after the first
 * failure and twice as long after each further one (at most a minute), each try logged.
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'databaseConnect'>,
  logger: Logger,
  opts: { detachedEmbedded?: boolean } = {},
): Promise<Database> {
  let embedded: EmbeddedDb | undefined;
  if (!config.databaseUrl) {
    // Loaded only when needed: the container image leaves out the ~60 MB of PostgreSQL binaries.
    const { startEmbeddedPostgres } = await import('./embedded-postgres');
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, logger, detached: opts.detachedEmbedded });
  }
  const url = config.databaseUrl ?? embedded!.url;
  try {
    const orm = config.databaseUrl
      ? await connectWithRetry(url, config.databaseConnect, logger)
      : await MikroORM.init(ormConfig(url));
    return {
      orm,
      url,
      async close() {
        await orm.close(true);
        await embedded?.stop();
      },
    };
  } catch (e) {
    await embedded?.stop();
    throw e;
  }
}

const MAX_CONNECT_WAIT_MS = 60_000;

async function connectWithRetry(url: string, retry: Config['databaseConnect'], logger: Logger): Promise<MikroORM> {
  const where = describeDatabaseUrl(url);
  let waitMs = retry.waitMs;
  for (let attempt = 1; ; attempt++) {
    const orm = await MikroORM.init(ormConfig(url));
    // MikroORM connects lazily: a first query is what reaches the server.
    const check = await orm.em
      .getConnection()
      .execute('select 1')
      .then(
        () => ({ ok: true as const }),
        (e: unknown) => ({ ok: false as const, reason: e instanceof Error ? e.message : String(e) }),
      );
    if (check.ok) {
      logger.info({ module: 'db', database: where, attempt }, 'connected to the database');
      return orm;
    }
    await orm.close(true).catch(() => undefined);
    const reason = check.reason.replaceAll(url, where);
    if (attempt >= retry.attempts) {
      throw new Error(
        `cannot reach the database at ${where} after ${attempt} attempt${attempt === 1 ? '' : 's'} (${reason}); check DATABASE_URL, or raise DATABASE_CONNECT_ATTEMPTS / DATABASE_CONNECT_WAIT if it starts slowly`,
      );
    }
    logger.warn(
      { module: 'db', database: where, attempt, attempts: retry.attempts, retryInMs: waitMs, reason },
      'the database is not reachable yet; trying again',
    );
    await new Promise((r) => setTimeout(r, waitMs));
    waitMs = Math.min(waitMs * 2, MAX_CONNECT_WAIT_MS);
  }
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((m) => m.name);
}

/** Number of migrations not yet applied (readiness fails while > 0). */
export async function pendingMigrationCount(orm: MikroORM): Promise<number> {
  return (await orm.migrator.getPending()).length;
}
