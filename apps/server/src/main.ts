import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config/env';
import { createContainer } from './container';
import { migrate, openDatabase } from './db/database';
import { systemClock } from './lib/clock';
import { createLogger } from './lib/logger';
import { seedEmailTemplates } from './modules/mail/mail.service';
import { createRequestFinishedMailHook, mailTasks } from './modules/mail/mail.tasks';
import { migrateJobQueue, startJobRunner, type JobRunner } from './modules/jobs/job-runner';
import { SitesConfigError } from './modules/sites/sites.config';
import { createStageBatchTask } from './modules/staging/staging.worker';
import { STAGE_BATCH_TASK } from './modules/staging/staging.service';

/** load config → start DB → migrate → create app → listen; drains everything on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(config.logLevel, { pretty: !config.isProduction && process.stdout.isTTY });
  const db = await openDatabase(config, logger);
  const applied = await migrate(db.orm);
  if (applied.length) logger.info({ applied }, 'applied database migrations');

  await migrateJobQueue(db.url);
  // Email templates from fixtures/email-templates (admin edits are kept).
  await seedEmailTemplates(db.orm.em.fork());

  let container;
  try {
    container = await createContainer(config, logger, systemClock);
  } catch (e) {
    if (e instanceof SitesConfigError) {
      process.stderr.write(`${e.message}\n`);
      await db.close();
      process.exit(2);
    }
    throw e;
  }

  let jobs: JobRunner | undefined;
  if (config.role !== 'api') {
    jobs = await startJobRunner({
      connectionString: db.url,
      orm: db.orm,
      logger,
      concurrency: 2,
      taskList: {
        [STAGE_BATCH_TASK]: createStageBatchTask(db.orm, container, [createRequestFinishedMailHook(container)]),
        ...mailTasks(db.orm, container),
      },
    });
  }
  const app = await createApp({ container, orm: db.orm });
  const port = config.role === 'worker' ? 0 : await app.listen(config.port, config.host);
  const url = config.publicUrl.replace(`:${config.port}`, `:${port}`);

  process.stdout.write(
    [
      '',
      `  Stagecoach is running at ${url}`,
      `  GraphQL: ${url}/graphql (HTTP and WebSocket)`,
      ...app.signInHelp(),
      '  API tokens: the createApiToken mutation, or',
      '    npm run cli -- token create --email you@example.org',
      '  then send "Authorization: Bearer <token>".',
      '',
    ].join('\n') + '\n',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // A stuck connection must not keep the process (and the embedded database) alive forever.
    const force = setTimeout(() => {
      logger.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    try {
      await app.close();
      await jobs?.stop();
      await db.close();
    } catch (e) {
      logger.error({ err: e }, 'error during shutdown');
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`Stagecoach failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
