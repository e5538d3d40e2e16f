import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config/env';
import type { Clock } from '../lib/clock';
import type { StagingMetrics } from '../http/metrics';
import { addLogContext } from '../lib/log-context';
import type { Logger } from '../lib/logger';
import type { PubSub } from '../lib/pubsub';
import type { DownloadLinks } from '../modules/downloads/download-links';
import { MacaroonsService } from '../modules/dcache/macaroons.service';
import { FileToolService } from '../modules/file-tool/file-tool.service';
import { MailService } from '../modules/mail/mail.service';
import { LifecycleService } from '../modules/lifecycle/lifecycle.service';
import { QuotaService } from '../modules/quotas/quota.service';
import type { SpaceGuard } from '../modules/space/space-guard';
import { LogsService } from '../modules/logs/logs.service';
import type { MethodRegistry } from '../modules/methods/registry';
import type { SiteRegistry } from '../modules/sites/sites.service';
import { StagingService } from '../modules/staging/staging.service';
import { TokensService } from '../modules/tokens/tokens.service';
import { UserAdminService } from '../modules/users/user-admin.service';
import type { User } from '../modules/users/user.entity';
import { UsersService } from '../modules/users/users.service';

export interface Viewer {
  user: User;
  /** How the caller authenticated; cookie sessions additionally need CSRF protection. */
  via: 'token' | 'session';
}

/** Process-wide singletons, built once in main (or a test) and shared by every request. */
export interface Container {
  config: Config;
  clock: Clock;
  logger: Logger;
  pubsub: PubSub;
  sites: SiteRegistry;
  methods: MethodRegistry;
  links: DownloadLinks;
  /** Prometheus counters the staging worker feeds (absent in tests that do not look). */
  metrics?: StagingMetrics;
  /** Free-space check and eviction before copies (modules/lifecycle); absent → no check. */
  space?: SpaceGuard;
}

/** Per-operation services sharing one forked EntityManager (one identity map per request). */
export interface Services {
  users: UsersService;
  tokens: TokensService;
  logs: LogsService;
  staging: StagingService;
  fileTool: FileToolService;
  // identity and access (issue 5)
  userAdmin: UserAdminService;
  mail: MailService;
  // lifecycle and quotas (issue 9)
  lifecycle: LifecycleService;
  quotas: QuotaService;
  // dCache macaroons of DCACHE_STAGE requests (issue 8)
  macaroons: MacaroonsService;
}

export interface GraphQLContext {
  viewer: Viewer | null;
  services: Services;
  container: Container;
  config: Config;
  logger: Logger;
}

export function createServices(em: EntityManager, c: Container): Services {
  const logs = new LogsService(em, c.pubsub);
  return {
    users: new UsersService(em),
    tokens: new TokensService(em, c.clock),
    logs,
    staging: new StagingService(em, c, logs),
    fileTool: new FileToolService(c),
    userAdmin: new UserAdminService(em, c),
    mail: new MailService(em, c),
    lifecycle: new LifecycleService(em, c),
    quotas: new QuotaService(em, c),
    macaroons: new MacaroonsService(em, c.config, c.logger),
  };
}

/** Parses `Bearer <secret>`; undefined when absent, '' when present but malformed (rejected). */
export function bearerSecret(header: unknown): string | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : '';
}

/** Builds the context for one HTTP request or WebSocket operation. */
export async function buildContext(em: EntityManager, c: Container, authorization: unknown, sessionUser?: User | null): Promise<GraphQLContext> {
  const services = createServices(em, c);
  const secret = bearerSecret(authorization);
  let viewer: Viewer | null = null;
  if (secret !== undefined) {
    const { user } = await services.tokens.authenticate(secret);
    viewer = { user, via: 'token' };
  } else if (sessionUser) {
    viewer = { user: sessionUser, via: 'session' };
  }
  if (viewer) addLogContext({ userId: viewer.user.id });
  return { viewer, services, container: c, config: c.config, logger: c.logger };
}
