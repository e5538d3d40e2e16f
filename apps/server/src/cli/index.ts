import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config/env';
import { createContainer, type Container } from '../container';
import { migrate, openDatabase, type Database } from '../db/database';
import { systemClock } from '../lib/clock';
import { AppError } from '../lib/errors';
import { createLogger, type Logger } from '../lib/logger';
import { migrateJobQueue } from '../modules/jobs/job-runner';
import { OPERATOR_USAGE, runOperatorCommand } from '../modules/operator/operator.cli';
import { USER_STATUSES, type UserStatus } from '../modules/users/user.entity';

const USAGE = `Usage: pnpm cli <command> [options]

  user add --email <email> [--name <name>] [--admin]   create an ACTIVE user
  user approve --email <email>                         activate a PENDING user (emails them)
  user reject --email <email> [--reason <text>]        reject a PENDING user (emails them)
  user disable --email <email>                         disable an ACTIVE user
  user enable --email <email>                          re-activate a DISABLED user
  user list [--status PENDING|ACTIVE|REJECTED|DISABLED]
  token create --email <email> [--name <name>] [--days <n>]   print a new API token secret
  migrate                                              apply database migrations
${OPERATOR_USAGE}`;

type Out = (line: string) => void;

/** Runs one CLI command against an open database; exported for tests. */
export async function runCommand(argv: string[], db: Database, out: Out, env: { config?: Config; logger?: Logger; fetchImpl?: typeof fetch } = {}): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      admin: { type: 'boolean', default: false },
      days: { type: 'string' },
      status: { type: 'string' },
      reason: { type: 'string' },
      'older-than': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [group, action] = positionals;
  const em = db.orm.em.fork();
  // Built on first use: `migrate` and `--help` need no sites, signing key or services.
  let container: Container | undefined;
  const c = async () => (container ??= await createContainer({ config: env.config ?? loadConfig({}), logger: env.logger ?? createLogger('silent'), clock: systemClock, orm: db.orm }));
  const services = async () => (await c()).services(em);
  const need = (v: string | undefined, flag: string): string => {
    if (!v) throw new AppError('BAD_USER_INPUT', `--${flag} is required.\n\n${USAGE}`);
    return v;
  };

  if (group === 'migrate') {
    const applied = await migrate(db.orm);
    // The job queue's schema too: the Helm migration hook then leaves nothing for the pods to do.
    await migrateJobQueue(db.url);
    out(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date.');
    return;
  }
  await migrate(db.orm);
  if (group === 'user' && action === 'add') {
    const user = await (await services()).users.create({ email: need(values.email, 'email'), name: values.name ?? null, role: values.admin ? 'ADMIN' : 'USER', status: 'ACTIVE', emailVerified: true });
    out(`Created ${user.role === 'ADMIN' ? 'admin' : 'user'} ${user.email} (username ${user.username}, status ${user.status}).`);
  } else if (group === 'user' && ['approve', 'reject', 'disable', 'enable'].includes(action ?? '')) {
    // The same service as the GraphQL admin operations (decision recorded, user emailed via the outbox).
    const { users, userAdmin: admin } = await services();
    const user = await users.getByEmail(need(values.email, 'email'));
    await migrateJobQueue(db.url); // the outbox's send job needs graphile-worker's schema
    if (action === 'approve') await admin.approve(null, user.id);
    else if (action === 'reject') await admin.reject(null, user.id, values.reason);
    else if (action === 'disable') await admin.disable(null, user.id);
    else await admin.enable(null, user.id);
    const past = { approve: 'Approved', reject: 'Rejected', disable: 'Disabled', enable: 'Enabled' }[action as 'approve'];
    out(`${past} ${user.email}.${action === 'approve' || action === 'reject' ? ' An email to them is queued in the outbox (sent by the server).' : ''}`);
  } else if (group === 'user' && action === 'list') {
    const status = values.status?.toUpperCase();
    if (status && !USER_STATUSES.includes(status as UserStatus)) throw new AppError('BAD_USER_INPUT', `--status must be one of ${USER_STATUSES.join(', ')}.`);
    const list = await (await services()).userAdmin.list(status as UserStatus | undefined);
    if (!list.length) out('No users.');
    for (const u of list) out(`${u.email}\t${u.username}\t${u.role}\t${u.status}\t${u.createdAt.toISOString()}`);
  } else if (group === 'token' && action === 'create') {
    const { users, tokens } = await services();
    const user = await users.getByEmail(need(values.email, 'email'));
    const days = values.days === undefined ? 90 : Number(values.days);
    const { secret } = await tokens.create(user, values.name ?? 'cli', days);
    out(secret);
  } else if (group === 'purge' || group === 'requests' || group === 'doctor') {
    await runOperatorCommand(positionals, values, db, await c(), out, env.fetchImpl ?? fetch);
  } else {
    if (!values.help && group) throw new AppError('BAD_USER_INPUT', `Unknown command "${positionals.join(' ')}".\n\n${USAGE}`);
    out(USAGE);
  }
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  // Logs go to stderr so that `token create` prints only the secret on stdout.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, { toStderr: true });
  const db = await openDatabase(config, logger);
  try {
    await runCommand(process.argv.slice(2), db, (line) => process.stdout.write(`${line}\n`), { config, logger });
  } finally {
    await db.close();
  }
}

if (process.argv[1] && /cli(\/index)?\.(ts|js|mjs)$/.test(process.argv[1])) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof AppError ? e.message : `Error: ${e instanceof Error ? e.message : String(e)}`}\n`);
    process.exit(1);
  });
}
