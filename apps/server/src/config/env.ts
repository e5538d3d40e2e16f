/**
 * The only reader of `process.env`. Every environment variable the server reads is declared here
 * once, with one doc comment; `loadConfig` reports every bad variable at once so an operator fixes
 * them in one go.
 */
import path from 'node:path';
import { z } from 'zod';
import { methodFromName, STAGING_METHODS, type StagingMethod } from '@stagecoach/domain';
import { durationMs } from '../lib/duration';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

// Every duration variable is a `durationMs` (lib/duration): ISO-8601 such as P14D, 45s/15m/12h/7d/2w, or bare seconds.

const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** A comma-separated list or a JSON array of method names, in any letter case or a known alias (`methodFromName`). */
const methodList = z.string().transform((v, ctx): StagingMethod[] => {
  let names: unknown;
  if (v.trim().startsWith('[')) {
    try {
      names = JSON.parse(v);
    } catch {
      names = null;
    }
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
      ctx.addIssue({ code: 'custom', message: 'expected a JSON list of method names, e.g. ["local_copy", "direct_download"]' });
      return z.NEVER;
    }
  } else {
    names = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  const unknown = (names as string[]).filter((n) => !methodFromName(n));
  if (unknown.length) {
    ctx.addIssue({ code: 'custom', message: `unknown method ${unknown.join(', ')}; expected any of ${STAGING_METHODS.join(', ')} (or in lower case)` });
    return z.NEVER;
  }
  return [...new Set((names as string[]).map((n) => methodFromName(n)!))];
});

const port = z.coerce
  .number({ error: 'expected a TCP port number' })
  .int('expected a TCP port number')
  .min(0)
  .max(65535);

export const EnvSchema = z.object({
  /** `development` (default), `test` or `production`; production refuses the development IdP. */
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** HTTP port for the web app, GraphQL and WebSocket (same port). */
  PORT: port.default(4000),
  /**
   * Port of an ops listener (`/healthz`, `/readyz`, `/metrics`) beside PORT. When set, `/metrics`
   * is served there only, so it is never reachable through the user-facing port or its ingress.
   */
  METRICS_PORT: port.optional(),
  /**
   * Bearer token Prometheus must send (`Authorization: Bearer …`) to read `/metrics`, on whichever
   * port serves it. In production, the user port serves `/metrics` only when this is set (and
   * METRICS_PORT is not).
   */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Bind address; loopback by default so a dev machine exposes nothing. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Public base URL used in links (emails, OIDC redirect); defaults to http://HOST:PORT. */
  PUBLIC_URL: z.url({ error: 'expected an absolute http(s) URL' }).optional(),
  /** PostgreSQL connection string; unset → embedded PostgreSQL kept under DATA_DIR. */
  DATABASE_URL: z.url({ error: 'expected a postgres:// URL' }).optional(),
  /** Tries to reach DATABASE_URL at start before giving up (a pod may start before its database). */
  DATABASE_CONNECT_ATTEMPTS: z.coerce.number({ error: 'expected a positive integer' }).int().min(1).max(1000).default(10),
  /** Wait after the first failed try to reach DATABASE_URL; doubled after each further one (at most a minute). */
  DATABASE_CONNECT_WAIT: durationMs.default(2000),
  /** Where the embedded database, default sites and other state live. */
  DATA_DIR: z.string().min(1).default('./.stagecoach'),
  /** YAML or JSON file describing the sites; unset → default `archive` and `users` sites under DATA_DIR. */
  SITES_FILE: z.string().min(1).optional(),
  /**
   * Staging methods this deployment offers, comma-separated (`LOCAL_COPY,DIRECT_DOWNLOAD`) or as
   * SKAO's Helm chart sets it, a JSON list of lower-case names (`["local_copy", "jupyter_copy"]`);
   * unset → all implemented methods.
   */
  ALLOWED_METHODS: methodList.optional(),
  /** OIDC issuer URL; unset → the built-in development IdP (refused in production). */
  OIDC_ISSUER: z.url({ error: 'expected the issuer URL' }).optional(),
  /** OIDC client id registered at the issuer. */
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  /** OIDC client secret registered at the issuer. */
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** Comma-separated emails that become active admins on first login, only when the IdP verified them. */
  ADMIN_EMAILS: csv.pipe(z.array(z.email({ error: 'expected email addresses' }))).default([]),
  /** Secret for session cookies and signed links; required in production (≥ 32 chars). */
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** SMTP server for outgoing mail, e.g. smtp://user:pass@host:587; unset → mails are logged and kept in the outbox. */
  SMTP_URL: z.url({ error: 'expected an smtp:// or smtps:// URL' }).optional(),
  /** Sender address of outgoing mail. */
  MAIL_FROM: z.string().min(3).default('Stagecoach <stagecoach@localhost>'),
  /** Optional Slack-compatible webhook notified of new sign-ups. */
  SIGNUP_WEBHOOK_URL: z.url({ error: 'expected an https URL' }).optional(),
  /** Slack app's signing secret: verifies the Approve/Reject button clicks `POST /slack` receives; unset → `/slack` answers 403. */
  SLACK_SIGNING_SECRET: z.string().min(8, 'must be at least 8 characters').optional(),
  /** Slack bot token (scope users:read.email) that looks up who clicked, to match them to an admin by email. */
  SLACK_BOT_TOKEN: z.string().min(1).optional(),
  /** Base URL of Slack's Web API (users.info). */
  SLACK_API_URL: z.url({ error: 'expected an absolute http(s) URL' }).default('https://slack.com/api'),
  /** Parallel file transfers per worker process. */
  WORKER_CONCURRENCY: z.coerce.number({ error: 'expected a positive integer' }).int().min(1).max(256).default(8),
  /**
   * Jobs a worker process runs at once. Single-file requests are one job each and mostly wait on
   * PostgreSQL commits, so several at once share WAL flushes (bench stage-50c); a large request
   * spreads over several jobs of WORKER_CONCURRENCY transfers each.
   */
  WORKER_JOBS: z.coerce.number({ error: 'expected a positive integer' }).int().min(1).max(64).default(4),
  /** Attempts per file before a transient error (I/O, storage unavailable) fails it. */
  STAGING_MAX_ATTEMPTS: z.coerce.number({ error: 'expected a positive integer' }).int().min(1).max(20).default(3),
  /** Lifetime of signed download links (e.g. 24h, 7d). */
  DOWNLOAD_LINK_TTL: durationMs.default(7 * 86_400_000),
  /** pino log level for the server's own logs. */
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** Who may use the file-creation tool: `admins` (default) or `users`. */
  FILE_TOOL: z.enum(['admins', 'users']).default('admins'),
  /** Maximum items in one staging request. */
  MAX_ITEMS_PER_REQUEST: z.coerce.number({ error: 'expected a positive integer' }).int().min(1).default(10_000),
  /**
   * Process role: `api` (web app, GraphQL, downloads; no jobs), `worker` (jobs, plus /healthz,
   * /readyz and /metrics on PORT) or `all` (both). Any number of each may share one database.
   */
  ROLE: z.enum(['api', 'worker', 'all']).default('all'),
  /**
   * Redis for live updates between replicas (subscriptions, live log), e.g. redis://redis:6379;
   * unset → PostgreSQL LISTEN/NOTIFY on the application database (no extra service needed).
   */
  REDIS_URL: z.url({ error: 'expected a redis:// or rediss:// URL' }).refine((v) => /^rediss?:\/\//.test(v), 'expected a redis:// or rediss:// URL').optional(),
  /**
   * Which proxies' X-Forwarded-For/-Proto to believe (Express `trust proxy`): `loopback` (default),
   * a comma-separated list of addresses, subnets or `loopback`/`linklocal`/`uniquelocal`, a hop
   * count, or `true`. Behind a Kubernetes ingress use `loopback,uniquelocal`, or per-IP rate limits
   * see the ingress controller's address instead of the user's.
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d+|[0-9A-Za-z.:/, _-]+)$/, 'expected true, false, a hop count or a list of addresses/subnets')
    .default('loopback')
    .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v)),
  /** Prefix of the Redis pub/sub channels, so several deployments can share one Redis (channels ignore the db number). */
  REDIS_CHANNEL_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits, "_", ".", ":" or "-"').default('stagecoach'),
  /** Answer GraphQL introspection queries (on by default outside production). */
  GRAPHQL_INTROSPECTION: bool.optional(),
  /** `on` or `off`: the API explorer (GraphiQL) on `GET /graphql` from a browser and `/graphiql`; default on outside production. */
  GRAPHQL_EXPLORER: z.enum(['on', 'off']).optional(),
  // ---- identity and access (modules/auth, modules/mail) ----
  /** OIDC scopes asked for at login (space-separated); email and profile feed the user's email, name and username. */
  OIDC_SCOPES: z.string().min(1).default('openid email profile'),
  /** Lifetime of a browser session after sign-in (absolute; the user signs in again afterwards). */
  SESSION_TTL: durationMs.default(7 * 86_400_000),
  /** Accounts of the built-in development IdP (used only when OIDC_ISSUER is unset); default fixtures/oidc/users.json. */
  DEV_IDP_USERS_FILE: z.string().min(1).optional(),
  /** Longest lifetime of an API token in days; a longer one, or one that never expires, is refused. */
  TOKEN_MAX_DAYS: z.coerce.number({ error: 'expected a whole number of days' }).int().min(1).max(3650).default(365),
  /** Sustained GraphQL mutations one user may run per minute (each mutation field counts; 1200 = 20/s). */
  RATE_LIMIT_MUTATIONS: z.coerce.number({ error: 'expected a positive integer' }).int().min(1).default(1200),
  /** Mutations one user may run at once before the sustained rate applies (also the most one operation may hold). */
  RATE_LIMIT_MUTATION_BURST: z.coerce.number({ error: 'expected a positive integer' }).int().min(1).default(200),
  /** GraphQL WebSocket connections one client address may hold open at once (browser tabs and scripts behind one NAT add up). */
  WS_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number({ error: 'expected a positive integer' }).int().min(1).default(100),
  /** GraphQL operations a WebSocket without a signed-in user may have in flight at once. */
  WS_MAX_ANONYMOUS_OPERATIONS: z.coerce.number({ error: 'expected a positive integer' }).int().min(1).default(10),
  /** Sign-in attempts (`GET /auth/login`) one IP address may start per minute. */
  RATE_LIMIT_LOGINS: z.coerce.number({ error: 'expected a positive integer' }).int().min(1).default(30),
  // ---- lifecycle and compatibility (modules/lifecycle, modules/compat) ----
  /** How long staged results stay in user areas after their request finished, unless the site sets `retention` (e.g. P14D). */
  RETENTION_DEFAULT: durationMs.default(14 * 86_400_000),
  /** How long before expiry the owner is emailed a warning (e.g. P2D). */
  EXPIRY_WARNING: durationMs.default(2 * 86_400_000),
  /** How far beyond its original expiry a user may extend a request (admins: no limit). */
  EXTEND_MAX: durationMs.default(30 * 86_400_000),
  /** Cron pattern (graphile-worker crontab syntax, UTC) of the sweep that removes expired results and sends warnings. */
  LIFECYCLE_SWEEP_CRON: z.string().regex(/^\S+( \S+){4}$/, 'expected five cron fields, e.g. */10 * * * *').default('*/10 * * * *'),
  /** Default bytes one user may hold per target site (staged copies until they expire, plus queued files); unset → unlimited. */
  QUOTA_BYTES_PER_SITE: z.coerce.number({ error: 'expected a number of bytes' }).int().min(0).optional(),
  /** Default requests one user may have queued or running at once; unset → unlimited. */
  QUOTA_ACTIVE_REQUESTS: z.coerce.number({ error: 'expected a positive integer' }).int().min(1).optional(),
  /** Port on which the Pacifica cart API is also served at the root (`/<uid>`, as cartd did); unset → only `/carts/<uid>` on PORT. */
  CARTD_PORT: port.optional(),
  /** How long `POST /stage_data` (SKAO compatibility) waits for the staging to finish before answering 202. */
  COMPAT_WAIT: durationMs.default(30_000),
  /**
   * Test seam, refused in production: a LOCAL_COPY stops once this many bytes are done and stays
   * RUNNING until cancelled, so the browser tests can cancel a copy that is surely still running
   * (no file is big enough to outlast every fast disk).
   */
  TEST_PAUSE_LOCAL_COPY_AFTER_BYTES: z.coerce.number({ error: 'expected a number of bytes' }).int().min(0).optional(),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  readonly env: Env['NODE_ENV'];
  readonly isProduction: boolean;
  readonly port: number;
  readonly host: string;
  /**
   * Who may read `/metrics`: `port` is METRICS_PORT (an ops listener serving it instead of PORT),
   * `token` the bearer a scrape must send, `onUserPort` whether the app's own port serves it.
   */
  readonly metrics: { readonly port: number | undefined; readonly token: string | undefined; readonly onUserPort: boolean };
  readonly publicUrl: string;
  readonly databaseUrl: string | undefined;
  /** DATABASE_CONNECT_ATTEMPTS and DATABASE_CONNECT_WAIT. */
  readonly databaseConnect: { readonly attempts: number; readonly waitMs: number };
  readonly dataDir: string;
  readonly sitesFile: string | undefined;
  readonly allowedMethods: readonly StagingMethod[];
  readonly oidc: { issuer: string; clientId: string; clientSecret: string | undefined } | undefined;
  readonly adminEmails: readonly string[];
  readonly sessionSecret: string | undefined;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly signupWebhookUrl: string | undefined;
  /** SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL (no trailing slash). */
  readonly slack: { readonly signingSecret: string | undefined; readonly botToken: string | undefined; readonly apiUrl: string };
  readonly workerConcurrency: number;
  readonly workerJobs: number;
  readonly stagingMaxAttempts: number;
  readonly downloadLinkTtlMs: number;
  readonly logLevel: Env['LOG_LEVEL'];
  readonly fileTool: Env['FILE_TOOL'];
  readonly maxItemsPerRequest: number;
  readonly role: Env['ROLE'];
  readonly trustProxy: boolean | number | string;
  readonly redis: { readonly url: string; readonly channelPrefix: string } | undefined;
  readonly introspection: boolean;
  /** GRAPHQL_EXPLORER. */
  readonly explorer: boolean;
  readonly oidcScopes: string;
  readonly sessionTtlMs: number;
  /** TOKEN_MAX_DAYS. */
  readonly tokenMaxDays: number;
  readonly devIdpUsersFile: string | undefined;
  readonly rateLimits: { readonly mutationsPerMinute: number; readonly mutationBurst: number; readonly loginsPerMinute: number };
  readonly webSocket: { readonly maxConnectionsPerAddress: number; readonly maxAnonymousOperations: number };
  /**
   * Reads a site secret named in SITES_FILE (`{ env: NAME }`). Sites name their own variables, so
   * they cannot be declared above; this keeps env.ts the only reader of the environment.
   */
  readonly readSecretEnv: (name: string) => string | undefined;
  readonly lifecycle: { readonly retentionMs: number; readonly warnBeforeMs: number; readonly extendMaxMs: number; readonly sweepCron: string };
  readonly quotas: { readonly bytesPerSite: number | null; readonly activeRequests: number | null };
  readonly compatWaitMs: number;
  /** CARTD_PORT. */
  readonly cartdPort: number | undefined;
  /** TEST_PAUSE_LOCAL_COPY_AFTER_BYTES; never set in production. */
  readonly testPauseLocalCopyAfterBytes: number | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment once into a frozen config, or throws ConfigError listing every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset" so that `FOO= npm start` behaves like not setting FOO.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '(environment)');
      const value = cleaned[name];
      const shown = value === undefined || /SECRET|PASSWORD|TOKEN|URL/.test(name) ? '' : ` (got "${value}")`;
      problems.push(`${name}: ${issue.message}${shown}`);
    }
  }
  const e = parsed.data;
  if (e) {
    if (e.METRICS_PORT !== undefined && e.METRICS_PORT !== 0 && e.METRICS_PORT === e.PORT)
      problems.push('METRICS_PORT: must differ from PORT');
    if (e.OIDC_ISSUER && !e.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID: required when OIDC_ISSUER is set');
    if (e.NODE_ENV === 'production') {
      if (!e.OIDC_ISSUER) problems.push('OIDC_ISSUER: required in production (the development IdP is refused)');
      if (!e.SESSION_SECRET) problems.push('SESSION_SECRET: required in production');
      if (e.TEST_PAUSE_LOCAL_COPY_AFTER_BYTES !== undefined) problems.push('TEST_PAUSE_LOCAL_COPY_AFTER_BYTES: a test seam, refused in production');
    }
  }
  if (problems.length > 0 || !e) throw new ConfigError(problems);

  return Object.freeze({
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    port: e.PORT,
    host: e.HOST,
    metrics: Object.freeze({
      port: e.METRICS_PORT,
      token: e.METRICS_TOKEN,
      // Never beside the users without a token in production; outside it, handy for development.
      onUserPort: e.METRICS_PORT === undefined && (e.METRICS_TOKEN !== undefined || e.NODE_ENV !== 'production'),
    }),
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`).replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL,
    databaseConnect: Object.freeze({ attempts: e.DATABASE_CONNECT_ATTEMPTS, waitMs: e.DATABASE_CONNECT_WAIT }),
    dataDir: path.resolve(e.DATA_DIR),
    sitesFile: e.SITES_FILE ? path.resolve(e.SITES_FILE) : undefined,
    allowedMethods: Object.freeze(e.ALLOWED_METHODS ?? [...STAGING_METHODS]),
    oidc: e.OIDC_ISSUER
      ? { issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID!, clientSecret: e.OIDC_CLIENT_SECRET }
      : undefined,
    adminEmails: Object.freeze(e.ADMIN_EMAILS.map((m) => m.toLowerCase())),
    sessionSecret: e.SESSION_SECRET,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    signupWebhookUrl: e.SIGNUP_WEBHOOK_URL,
    slack: Object.freeze({ signingSecret: e.SLACK_SIGNING_SECRET, botToken: e.SLACK_BOT_TOKEN, apiUrl: e.SLACK_API_URL.replace(/\/$/, '') }),
    workerConcurrency: e.WORKER_CONCURRENCY,
    workerJobs: e.WORKER_JOBS,
    stagingMaxAttempts: e.STAGING_MAX_ATTEMPTS,
    downloadLinkTtlMs: e.DOWNLOAD_LINK_TTL,
    logLevel: e.LOG_LEVEL,
    fileTool: e.FILE_TOOL,
    maxItemsPerRequest: e.MAX_ITEMS_PER_REQUEST,
    role: e.ROLE,
    trustProxy: e.TRUST_PROXY,
    redis: e.REDIS_URL ? Object.freeze({ url: e.REDIS_URL, channelPrefix: e.REDIS_CHANNEL_PREFIX }) : undefined,
    introspection: e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== 'production',
    explorer: (e.GRAPHQL_EXPLORER ?? (e.NODE_ENV === 'production' ? 'off' : 'on')) === 'on',
    oidcScopes: e.OIDC_SCOPES,
    sessionTtlMs: e.SESSION_TTL,
    tokenMaxDays: e.TOKEN_MAX_DAYS,
    devIdpUsersFile: e.DEV_IDP_USERS_FILE ? path.resolve(e.DEV_IDP_USERS_FILE) : undefined,
    rateLimits: Object.freeze({ mutationsPerMinute: e.RATE_LIMIT_MUTATIONS, mutationBurst: e.RATE_LIMIT_MUTATION_BURST, loginsPerMinute: e.RATE_LIMIT_LOGINS }),
    webSocket: Object.freeze({ maxConnectionsPerAddress: e.WS_MAX_CONNECTIONS_PER_ADDRESS, maxAnonymousOperations: e.WS_MAX_ANONYMOUS_OPERATIONS }),
    readSecretEnv: (name: string) => source[name] || undefined,
    lifecycle: Object.freeze({ retentionMs: e.RETENTION_DEFAULT, warnBeforeMs: e.EXPIRY_WARNING, extendMaxMs: e.EXTEND_MAX, sweepCron: e.LIFECYCLE_SWEEP_CRON }),
    quotas: Object.freeze({ bytesPerSite: e.QUOTA_BYTES_PER_SITE ?? null, activeRequests: e.QUOTA_ACTIVE_REQUESTS ?? null }),
    compatWaitMs: e.COMPAT_WAIT,
    cartdPort: e.CARTD_PORT,
    testPauseLocalCopyAfterBytes: e.TEST_PAUSE_LOCAL_COPY_AFTER_BYTES,
  });
}
