import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config/env';
import { createContainer } from './container';
import { withMigrationLock } from './db/migration-lock';
import { createMetrics } from './http/metrics';
import { createOpsServer } from './http/ops-server';
import { createSharedPubSub } from './lib/pubsub';
import { migrate, openDatabase } from './db/database';
import { systemClock } from './lib/clock';
import { createLogger } from './lib/logger';
import { seedEmailTemplates } from './modules/mail/mail.service';
import { createRequestFinishedMailHook, mailTasks } from './modules/mail/mail.tasks';
import { migrateJobQueue, startJobRunner, type JobRunner } from './modules/jobs/job-runner';
import { createLifecycleFinishedHook, lifecycleCronItems, lifecycleTasks } from './modules/lifecycle/lifecycle.tasks';
import { SpaceGuard } from './modules/space/space-guard';
import { SitesConfigError } from './modules/sites/sites.config';
import { resyncRequestSubscribers } from './modules/staging/staging.resync';
import { createStageBatchTask, type RequestFinishedHook } from './modules/staging/staging.worker';
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
  // Replicas starting together take turns (the Helm hook has usually migrated already).
  await withMigrationLock(db.url, async () => {
    const applied = await migrate(db.orm);
    if (applied.length) logger.info({ applied }, 'applied database migrations');

    await migrateJobQueue(db.url, logger);
    // Email templates from fixtures/email-templates (admin edits are kept).
    await seedEmailTemplates(db.orm.em.fork());
  });

  // ---- roles (issue 10): api = HTTP/GraphQL, worker = jobs + ops endpoints, all = both ----
  const serves = config.role !== 'worker';
  const works = config.role !== 'api';
  const metrics = createMetrics({ db: { execute: (sql) => db.orm.em.getConnection().execute(sql) } });
  // Live updates cross replicas through the shared database (LISTEN/NOTIFY) or Redis.
  const shared = createSharedPubSub({ databaseUrl: db.url, redis: config.redis, logger, subscribe: serves });
  await Promise.race([shared.ready(), new Promise((r) => setTimeout(r, 5000).unref())]);
  logger.info({ role: config.role, pubsub: shared.transport }, 'starting');

  let container;
  try {
    container = await createContainer(config, logger, systemClock, shared.pubsub, { metrics: metrics.staging });
  } catch (e) {
    if (e instanceof SitesConfigError) {
      process.stderr.write(`${e.message}\n`);
      await db.close();
      process.exit(2);
    }
    throw e;
  }

  const c = container;
  if (serves) shared.onResync((topics) => void resyncRequestSubscribers(db.orm, c.pubsub, topics).catch((err: unknown) => logger.warn({ err }, 'resync failed')));

  let jobs: JobRunner | undefined;
  if (works) {
    // Before each copy onto a cache or capacity-limited site: make room, or fail the file (issue 9).
    container.space = new SpaceGuard(db.orm, container);
    const countFinished: RequestFinishedHook = async (r) => {
      metrics.staging.requestFinished(r.method, r.status, ((r.finishedAt ?? new Date()).getTime() - r.createdAt.getTime()) / 1000);
    };
    jobs = await startJobRunner({
      connectionString: db.url,
      orm: db.orm,
      logger,
      // Jobs at once. Single-file requests are one job each and mostly wait on PostgreSQL commits;
      // 4 lets their commits share WAL flushes and halves the backlog build-up under 50 clients
      // (bench stage-50c, A/B vs 2: files done during the load ×2, p99 of `stage` ×0.8); a
      // 10,000-file request (4 batch jobs × WORKER_CONCURRENCY transfers) was unchanged, and 8
      // was worse there (more concurrent flushes recounting the same request).
      concurrency: 4,
      metrics: metrics.jobs,
      taskList: {
        [STAGE_BATCH_TASK]: createStageBatchTask(db.orm, container, [createLifecycleFinishedHook(container), countFinished, createRequestFinishedMailHook(container)]),
        ...mailTasks(db.orm, container),
        ...lifecycleTasks(db.orm, container),
      },
      parsedCronItems: lifecycleCronItems(config),
    });
  }
  // A worker answers probes and scrapes only; the full app (GraphQL, auth, downloads) is for api/all.
  const web = serves ? await createApp({ container, orm: db.orm, metrics }) : null;
  const app = web ?? createOpsServer(db.orm, metrics);
  const port = await app.listen(config.port, config.host);
  const url = config.publicUrl.replace(`:${config.port}`, `:${port}`);

  if (!web) {
    process.stdout.write(`\n  Stagecoach worker is running (jobs; /healthz, /readyz and /metrics on port ${port})\n\n`);
  } else {
    process.stdout.write(
      [
        '',
        `  Stagecoach is running at ${url}${config.role === 'api' ? ' (api only: jobs run in worker processes)' : ''}`,
        `  GraphQL: ${url}/graphql (HTTP and WebSocket)`,
        ...web.signInHelp(),
        '  API tokens: the createApiToken mutation, or',
        '    npm run cli -- token create --email you@example.org',
        '  then send "Authorization: Bearer <token>".',
        '',
      ].join('\n') + '\n',
    );
  }

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
      logger.debug('HTTP and WebSocket drained');
      await jobs?.stop();
      logger.debug('job runner stopped');
      await shared.close();
      await db.close();
      logger.debug('database closed');
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
