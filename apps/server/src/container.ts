import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { ParsedCronItem, TaskList } from 'graphile-worker';
import type { Config } from './config/env';
import type { StagingMetrics } from './http/metrics';
import type { Clock } from './lib/clock';
import type { Logger } from './lib/logger';
import { createInProcessPubSub, type PubSub } from './lib/pubsub';
import { linkSigningKey } from './lib/secrets';
import { MacaroonsService } from './modules/dcache/macaroons.service';
import { DownloadLinks } from './modules/downloads/download-links';
import { FileToolService } from './modules/file-tool/file-tool.service';
import { LifecycleService } from './modules/lifecycle/lifecycle.service';
import { createLifecycleFinishedHook, lifecycleCronItems, lifecycleTasks } from './modules/lifecycle/lifecycle.tasks';
import { LogsService } from './modules/logs/logs.service';
import { MailService } from './modules/mail/mail.service';
import { createRequestFinishedMailHook, mailTasks } from './modules/mail/mail.tasks';
import { implementedMethods, MethodRegistry } from './modules/methods/registry';
import { QuotaService } from './modules/quotas/quota.service';
import { SiteRegistry } from './modules/sites/sites.service';
import { SpaceGuard } from './modules/space/space-guard';
import { StageCommitter } from './modules/staging/stage-commits';
import { StagingService } from './modules/staging/staging.service';
import { createStageBatchTask, type RequestFinishedHook } from './modules/staging/staging.worker';
import { TokensService } from './modules/tokens/tokens.service';
import { AuthEpochs } from './modules/auth/auth-epochs';
import { UserAdminService } from './modules/users/user-admin.service';
import { UsersService } from './modules/users/users.service';
import { cartTasks, createCartFinishedHook } from './modules/compat/cart.tasks';

/**
 * The composition root. `createContainer` builds the process-wide singletons once (main, the
 * test app and the CLI all call it); `services(em)` builds the per-operation services on one
 * EntityManager (one identity map per HTTP request, WebSocket operation or job); `jobTasks`
 * declares the job task list. Modules receive what they need from here instead of constructing
 * their collaborators.
 */
export interface Container {
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly orm: MikroORM;
  readonly pubsub: PubSub;
  readonly sites: SiteRegistry;
  readonly methods: MethodRegistry;
  readonly links: DownloadLinks;
  /** Prometheus counters the staging worker feeds; null when the process exports none (tests, CLI). */
  readonly metrics: StagingMetrics | null;
  /** Free-space check and eviction before copies onto space-limited sites. */
  readonly space: SpaceGuard;
  /** Stores `stage` calls with group commit (one per process: it batches concurrent calls). */
  readonly committer: StageCommitter;
  /** Per-user authorization epochs: bumped when a user's authority changes (open sockets re-check). */
  readonly authEpochs: AuthEpochs;
  /** The per-operation services sharing `em`. */
  services(em: EntityManager): Services;
}

/** Per-operation services sharing one EntityManager. */
export interface Services {
  users: UsersService;
  tokens: TokensService;
  logs: LogsService;
  staging: StagingService;
  fileTool: FileToolService;
  userAdmin: UserAdminService;
  mail: MailService;
  lifecycle: LifecycleService;
  quotas: QuotaService;
  macaroons: MacaroonsService;
}

export interface ContainerOptions {
  config: Config;
  logger: Logger;
  clock: Clock;
  orm: MikroORM;
  /** In-process by default (tests, CLI); main passes the cross-replica one (lib/pubsub). */
  pubsub?: PubSub;
  metrics?: StagingMetrics | null;
}

/** Builds the process-wide singletons (sites loaded and seeded, methods, signing key, pub/sub). */
export async function createContainer(opts: ContainerOptions): Promise<Container> {
  const { config, logger, clock, orm } = opts;
  const pubsub = opts.pubsub ?? createInProcessPubSub();
  const sites = await SiteRegistry.load(config, logger);
  const methods = new MethodRegistry(
    config.allowedMethods,
    implementedMethods({ pauseLocalCopyAfterBytes: config.testPauseLocalCopyAfterBytes }),
    sites.sites,
  );
  const links = new DownloadLinks(await linkSigningKey(config), config.publicUrl);
  const services = (em: EntityManager): Services => createServices(em, container);
  const container: Container = {
    config,
    clock,
    logger,
    orm,
    pubsub,
    authEpochs: new AuthEpochs(pubsub),
    sites,
    methods,
    links,
    metrics: opts.metrics ?? null,
    space: new SpaceGuard(orm, { config, clock, sites, logger }, (em) => services(em).lifecycle),
    committer: new StageCommitter(orm, (em) => services(em).logs),
    services,
  };
  return container;
}

function createServices(em: EntityManager, c: Container): Services {
  const logs = new LogsService(em, c.pubsub);
  const mail = new MailService(em, c);
  const quotas = new QuotaService(em, c);
  return {
    users: new UsersService(em),
    tokens: new TokensService(em, c.clock, c.config.tokenMaxDays, c.authEpochs),
    logs,
    mail,
    quotas,
    staging: new StagingService(em, c, { logs, quotas }),
    fileTool: new FileToolService(c),
    userAdmin: new UserAdminService(em, c, mail),
    lifecycle: new LifecycleService(em, c, logs),
    macaroons: new MacaroonsService(em, c.config, c.logger),
  };
}

export interface JobTasks {
  taskList: TaskList;
  /** Recurring jobs (the lifecycle sweep); empty when `cron` is false (tests run sweeps with their own clock). */
  cronItems: ParsedCronItem[];
}

/** Every job the worker runs, and what happens when a staging request finishes; declared once for main, tests and benches. */
export function jobTasks(c: Container, opts: { cron?: boolean } = {}): JobTasks {
  const finished: RequestFinishedHook[] = [createLifecycleFinishedHook(c), createRequestFinishedMailHook(c), createCartFinishedHook()];
  const metrics = c.metrics;
  if (metrics) {
    finished.push(async (r) => {
      metrics.requestFinished(r.method, r.status, ((r.finishedAt ?? new Date()).getTime() - r.createdAt.getTime()) / 1000);
    });
  }
  return {
    taskList: { ...createStageBatchTask(c, finished), ...mailTasks(c), ...lifecycleTasks(c), ...cartTasks(c) },
    cronItems: opts.cron === false ? [] : lifecycleCronItems(c.config),
  };
}
