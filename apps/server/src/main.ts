import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config/env';
import { createContainer, jobTasks } from './container';
import { withMigrationLock } from './db/migration-lock';
import { createMetrics } from './http/metrics';
import { createOpsServer } from './http/ops-server';
import { createSharedPubSub } from './lib/pubsub';
import { migrate, openDatabase } from './db/database';
import { systemClock } from './lib/clock';
import { createLogger } from './lib/logger';
import { seedEmailTemplates } from './modules/mail/mail.service';
import { migrateJobQueue, startJobRunner, type JobRunner } from './modules/jobs/job-runner';
import { queueDepth } from './modules/jobs/queue';
import { SitesConfigError } from './modules/sites/sites.config';
import { openRequests } from './modules/staging/staging.repository';
import { resyncRequestSubscribers } from './modules/staging/staging.resync';

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

  // Roles: api = HTTP/GraphQL, worker = jobs + ops endpoints, all = both.
  const serves = config.role !== 'worker';
  const works = config.role !== 'api';
  const metrics = createMetrics({ db: { queueDepth: () => queueDepth(db.orm.em.fork()), openRequests: () => openRequests(db.orm.em.fork()) } });
  // Live updates cross replicas through the shared database (LISTEN/NOTIFY) or Redis.
  const shared = createSharedPubSub({ databaseUrl: db.url, redis: config.redis, logger, subscribe: serves });
  await Promise.race([shared.ready(), new Promise((r) => setTimeout(r, 5000).unref())]);
  logger.info({ role: config.role, pubsub: shared.transport }, 'starting');

  let container;
  try {
    container = await createContainer({ config, logger, clock: systemClock, orm: db.orm, pubsub: shared.pubsub, metrics: metrics.staging });
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
    const { taskList, cronItems } = jobTasks(c);
    jobs = await startJobRunner({ connectionString: db.url, orm: db.orm, logger, concurrency: config.workerJobs, metrics: metrics.jobs, taskList, parsedCronItems: cronItems });
  }
  // A worker answers probes and scrapes only; the full app (GraphQL, auth, downloads) is for api/all.
  const web = serves ? await createApp({ container: c, metrics }) : null;
  const app =
    web ??
    createOpsServer(db.orm, metrics, { serveMetrics: config.metrics.port === undefined, metricsToken: config.metrics.token });
  const port = await app.listen(config.port, config.host);
  const url = config.publicUrl.replace(`:${config.port}`, `:${port}`);
  // METRICS_PORT: probes and scrapes on a port of their own, never routed to users.
  const ops =
    config.metrics.port === undefined
      ? null
      : createOpsServer(db.orm, metrics, { serveMetrics: true, metricsToken: config.metrics.token });
  const opsPort = ops ? await ops.listen(config.metrics.port!, config.host) : undefined;
  if (opsPort !== undefined)
    logger.info({ port: opsPort, token: Boolean(config.metrics.token) }, '/metrics is served on the ops port');
  else if (web && !config.metrics.onUserPort)
    logger.warn('/metrics is not served: set METRICS_PORT (an ops port) or METRICS_TOKEN to let Prometheus scrape this process');

  if (!web) {
    process.stdout.write(
      `\n  Stagecoach worker is running (jobs; /healthz, /readyz${opsPort === undefined ? ' and /metrics' : ''} on port ${port}${opsPort === undefined ? '' : `, /metrics on port ${opsPort}`})\n\n`,
    );
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
      await ops?.close();
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
