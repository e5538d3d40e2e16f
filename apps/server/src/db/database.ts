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

/** Connects to DATABASE_URL, or starts/reuses the embedded cluster under DATA_DIR when it is unset. */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
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
    const orm = await MikroORM.init(ormConfig(url));
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

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((m) => m.name);
}

/** Number of migrations not yet applied (readiness fails while > 0). */
export async function pendingMigrationCount(orm: MikroORM): Promise<number> {
  return (await orm.migrator.getPending()).length;
}
