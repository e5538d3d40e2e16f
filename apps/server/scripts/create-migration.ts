/**
 * Developer tool: diffs the entities against the committed snapshot and writes the next migration
 * into src/db/migrations (plus the updated snapshot), then registers it in migrations/index.ts.
 * Runs against a throwaway embedded cluster so it never touches a real database.
 *   pnpm --filter @stagecoach/server db:migration:create [name]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { MIGRATIONS_DIR, ormConfig } from '../src/db/mikro-orm.config';
import { createLogger } from '../src/lib/logger';

const name = process.argv[2];
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-mig-'));
await fs.chmod(dir, 0o755);
const db = await startEmbeddedPostgres({ dataDir: dir, logger: createLogger('warn') });
try {
  const orm = await MikroORM.init(ormConfig(db.url));
  await orm.migrator.up();
  const result = await orm.migrator.create(MIGRATIONS_DIR, false, false, name);
  await orm.close(true);
  if (!result.fileName) {
    console.log('No changes: entities match the snapshot.');
  } else {
    const base = path.basename(result.fileName).replace(/\.ts$/, '');
    const indexFile = path.join(MIGRATIONS_DIR, 'index.ts');
    let index = await fs.readFile(indexFile, 'utf8');
    index = index.replace("import type { Migration } from '@mikro-orm/migrations';", `import type { Migration } from '@mikro-orm/migrations';\nimport { ${base} } from './${base}';`);
    index = index.replace(/\] = \[([^]*?)\];/, (_m, body: string) => `] = [${body.trimEnd()}${body.trim() ? '\n' : '\n'}  { name: '${base}', class: ${base} },\n];`);
    await fs.writeFile(indexFile, index);
    console.log(`Created ${result.fileName}`);
  }
} finally {
  await db.stop();
  await fs.rm(dir, { recursive: true, force: true });
}
