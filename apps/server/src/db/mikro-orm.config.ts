import path from 'node:path';
import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities';
import { migrationsList } from './migrations';
import { SERVER_ROOT } from '../lib/paths';

/** Where migration files and the snapshot live in the source tree (used only by `migration:create`). */
export const MIGRATIONS_DIR = path.join(SERVER_ROOT, 'src', 'db', 'migrations');

export function ormConfig(clientUrl: string, opts: { debug?: boolean; poolMax?: number } = {}) {
  return defineConfig({
    clientUrl,
    entities,
    extensions: [Migrator],
    debug: opts.debug ?? false,
    pool: { min: 0, max: opts.poolMax ?? 10 },
    // Entities are declared with defineEntity: no reflection, no discovery cache needed.
    metadataCache: { enabled: false },
    migrations: {
      path: MIGRATIONS_DIR,
      tableName: 'mikro_orm_migrations',
      migrationsList,
      // Runtime never writes into the source tree; the snapshot is updated by `migration:create` only.
      snapshotOnMigrate: false,
      snapshotName: '.snapshot-stagecoach',
      emit: 'ts',
      transactional: true,
      silent: true,
      allOrNothing: true,
    },
  });
}
