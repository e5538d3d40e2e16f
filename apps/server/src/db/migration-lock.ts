import pg from 'pg';

/** Arbitrary but fixed advisory-lock key pair ("Stag", 1) shared by every Stagecoach process. */
const LOCK_KEY: [number, number] = [0x53746167, 1];

/**
 * Runs `fn` while holding a PostgreSQL advisory lock: replicas that start together (a scale-out,
 * a rollout without the Helm hook) apply migrations and seed data one at a time instead of racing.
 * The lock lives on its own connection and is released when that connection closes, so a process
 * killed mid-migration cannot leave it held.
 */
export async function withMigrationLock<T>(connectionString: string, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString, application_name: 'stagecoach-migrate-lock' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1, $2)', LOCK_KEY);
    return await fn();
  } finally {
    await client.end().catch(() => undefined);
  }
}
