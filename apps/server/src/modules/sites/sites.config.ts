import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { normalizeRelativePath } from '@stagecoach/domain';
import { durationText, parseDuration, toIsoDuration } from '../../lib/duration';

/** Site kinds: POSIX (sources, user areas), JUPYTERHUB and S3 (remote targets), WEBDAV and RUCIO (URL-routed sources). */
export const SITE_KINDS = ['POSIX', 'S3', 'WEBDAV', 'JUPYTERHUB', 'RUCIO'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'ids are lower-case letters, digits, "-" and "_"');

export const PosixSiteSchema = z.object({
  id,
  name: z.string().min(1).optional(),
  kind: z.literal('POSIX'),
  /** Absolute directory (local disk, NFS or CephFS mount). */
  root: z.string().min(1),
  /** `source`: files are staged from it; `target`: user areas live in it. */
  roles: z.array(z.enum(['source', 'target'])).min(1).default(['source']),
  /** Folder (relative to root) the file-creation tool writes into; sources only. */
  sandbox: z.string().min(1).optional(),
  /** The source used when a request names none. */
  default: z.boolean().default(false),
  // ---- lifecycle of staged results (modules/lifecycle); all optional ----
  /** How long staged results stay (e.g. P14D or 14d); default RETENTION_DEFAULT. */
  retention: durationText.optional(),
  /** A cache: when space runs short, expired and idle results are evicted to make room. */
  cache: z.boolean().optional(),
  /** On a cache, other users' unexpired idle results may be evicted too (a shared scratch area). */
  sharedCache: z.boolean().optional(),
  /** Results not accessed for this long count as idle on a cache (default P1D). */
  evictIdleAfter: durationText.optional(),
  /** Usable bytes (e.g. this site's share of a file system): staging counts staged copies against it. */
  capacityBytes: z.number().int().positive().optional(),
  /** Bytes to keep free on the file system. */
  reserveBytes: z.number().int().min(0).optional(),
});

/** A duration dCache is sent (macaroon validity, tape pin lifetime): rewritten to the `PnDTnHnMnS` form it parses. */
const dcacheDuration = durationText.transform((v) => toIsoDuration(parseDuration(v)!));
const regexString = z.string().min(1).refine((v) => {
  try {
    new RegExp(v);
    return true;
  } catch {
    return false;
  }
}, 'a valid regular expression');
const absoluteNamespacePath = z.string().regex(/^\/(?!.*(^|\/)\.\.?(\/|$))/, 'an absolute namespace path without "." or ".." segments');

/**
 * A dCache site (DCACHE_STAGE, e.g. the LOFAR long-term archive's): sources are archive URLs
 * (SURLs) matched by `urlPattern`; `namespacePath` maps a matched URL to its path in the dCache
 * namespace.
 */
export const WebdavSiteSchema = z.object({
  id,
  name: z.string().min(1).optional(),
  kind: z.literal('WEBDAV'),
  roles: z.array(z.enum(['source', 'target'])).min(1).default(['source']).refine((r) => !r.includes('target'), 'this kind of site can only be a source'),
  default: z.boolean().default(false),
  /** Regular expression matching this site's archive URLs (StageIT `surl_pattern`), anchored at the start. */
  urlPattern: regexString,
  /** URL → namespace path: `source.replace(new RegExp(from), to)`; the default strips scheme, host and an SRM `?SFN=` prefix. */
  namespacePath: z.object({ from: regexString, to: z.string() }).default({ from: '^[a-z][a-z0-9+.-]*://[^/]+(/srm/managerv2\\?SFN=)?', to: '' }),
  /** WebDAV door (base URL): files are read from it and macaroons are requested from it. */
  webdavUrl: z.url(),
  /** WLCG Tape REST API endpoint, e.g. https://dcache.example.org:3880/api/v1/tape. */
  tapeRestUrl: z.url(),
  /** File with Stagecoach's credentials for this site (`user:password` → Basic, else a bearer token); relative to SITES_FILE. */
  credentialsFile: z.string().min(1).optional(),
  /** Macaroons are limited to this namespace path (`root:` caveat); sources must lie below it. */
  rootCaveatPath: absoluteNamespacePath,
  /** How long a macaroon is valid (StageIT default: 6 days). */
  macaroonValidity: dcacheDuration.default('P6D'),
  /** Activities granted by the macaroon (`activity:` caveat). */
  macaroonActivities: z.array(z.string().regex(/^[A-Z_]+$/)).min(1).default(['DOWNLOAD', 'READ_METADATA']),
  /** Usernames that get no macaroon (StageIT skips them for its `admin` service account). */
  skipMacaroonForUsers: z.array(z.string()).default([]),
  /** How long staged files stay pinned on disk (`diskLifetime` of the tape request). */
  pinLifetime: dcacheDuration.default('P7D'),
  /** Polling of the tape request: first delay and the cap of the backoff, in milliseconds. */
  pollMinMs: z.number().int().min(10).default(2_000),
  pollMaxMs: z.number().int().min(10).default(120_000),
});

/** A Rucio instance (RUCIO_COPY): sources are `scope:name` DIDs replicated to `rseExpression` by a rule. */
export const RucioSiteSchema = z.object({
  id,
  name: z.string().min(1).optional(),
  kind: z.literal('RUCIO'),
  roles: z.array(z.enum(['source', 'target'])).min(1).default(['source']).refine((r) => !r.includes('target'), 'this kind of site can only be a source'),
  default: z.boolean().default(false),
  /** Which sources this site takes; default: any `scope:name`. */
  urlPattern: regexString.default('^[A-Za-z0-9_.-]{1,30}:(?!/)[^\\s:]+$'),
  serverUrl: z.url(),
  /** Authentication server; default: the server itself. */
  authUrl: z.url().optional(),
  account: z.string().min(1),
  /** File holding `username:password` for /auth/userpass; relative to SITES_FILE. */
  credentialsFile: z.string().min(1),
  /** Where rules replicate to (the target RSE expression). */
  rseExpression: z.string().min(1),
  /** Rule lifetime in seconds (none: the rule stays until deleted). */
  ruleLifetimeSeconds: z.number().int().positive().optional(),
  /** Ask Rucio to notify on rule completion (`notify: "C"`). */
  notify: z.boolean().default(false),
  pollMinMs: z.number().int().min(10).default(2_000),
  pollMaxMs: z.number().int().min(10).default(120_000),
});

/**
 * A secret given by reference, never inline: the name of an environment variable or a file
 * (e.g. a mounted Kubernetes secret; relative to SITES_FILE). Read when used, so a rotated file
 * takes effect without a restart.
 */
export const SecretRefSchema = z.union(
  [z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') }), z.strictObject({ file: z.string().min(1) })],
  { error: 'secrets are given by reference: { env: VARIABLE_NAME } or { file: /path/to/file }, never inline' },
);
export type SecretRef = z.infer<typeof SecretRefSchema>;

const targetOnlyRoles = z.array(z.enum(['source', 'target'])).min(1).default(['target']).refine((r) => !r.includes('source'), 'this kind of site can only be a target');
/** A folder below a remote root: relative, `/`-separated, no `..`; '' is the root itself. */
const remoteFolder = z.string().refine((v) => {
  if (v === '') return true;
  const n = normalizeRelativePath(v);
  return n.ok && n.path === v;
}, 'a relative folder in canonical form (no "..", "." or empty segments, no leading or trailing "/"), e.g. staged');
const MIB = 1024 * 1024;

/**
 * A JupyterHub: JUPYTER_COPY uploads into the user's server through the hub, starting
 * it when needed. The service token needs the scopes `admin:users admin:servers access:servers
 * read:users` (`access:servers` lets it use the contents API of the users' servers).
 */
export const JupyterHubSiteSchema = z.object({
  id,
  name: z.string().min(1).optional(),
  kind: z.literal('JUPYTERHUB'),
  roles: targetOnlyRoles,
  /** The JupyterHub site JUPYTER_COPY uses when a request names none (else the first one). */
  default: z.boolean().default(false),
  /** The hub's URL as users open it, with its base_url (e.g. https://hub.example.org/ or https://example.org/jupyter/); links point here. */
  url: z.url(),
  /** Where Stagecoach reaches the same proxy routes when not through `url` (e.g. http://proxy-public inside the cluster). */
  apiUrl: z.url().optional(),
  /** The hub service token, by reference. */
  token: SecretRefSchema,
  /** A named server to upload into (the hub must allow named servers); '' = the user's default server. */
  serverName: z.string().regex(/^[A-Za-z0-9._~-]*$/, 'a server name of letters, digits, ".", "_", "~" and "-"').default(''),
  /** Folder in the user's home that staged files go into; '' = the home itself. */
  uploadDir: remoteFolder.default('staged'),
  /**
   * Which hub user a Stagecoach user is: `map` first (keyed by verified email or Stagecoach
   * username), else `from`: `username` (Stagecoach's, from the OIDC preferred_username), `email`,
   * `email-local-part` or `oidc-subject`; lower-cased like most authenticators do. Unverified
   * emails and usernames changed by sanitising are refused (see `hubUserName`).
   */
  hubUser: z
    .object({
      from: z.enum(['username', 'email', 'email-local-part', 'oidc-subject']).default('username'),
      map: z.record(z.string(), z.string().min(1)).default({}),
      lowercase: z.boolean().default(true),
    })
    .prefault({}),
  /** Create the hub user when the hub does not know it (hubs whose users are provisioned by services). */
  createMissingUsers: z.boolean().default(false),
  /** How long to wait for a user's server to start. */
  spawnTimeoutSeconds: z.number().int().min(5).max(3600).default(300),
  /** Raw bytes per upload request (sent base64-encoded; the server's max_body_size must allow 4/3 of it). */
  chunkSizeBytes: z.number().int().min(64 * 1024).max(256 * MIB).default(4 * MIB),
  /**
   * How an upload is checked before it gets its final name: `size` (default), or `sha256`, which
   * reads the file back when the server does not offer hashes (jupyter_server < 2.11).
   */
  verify: z.enum(['size', 'sha256']).default('size'),
});

/**
 * An S3 bucket: AWS, Ceph RGW, MinIO. S3_COPY uploads below the user's prefix and hands
 * out presigned GET links. Without `credentials` the AWS SDK's default chain is used.
 */
export const S3SiteSchema = z.object({
  id,
  name: z.string().min(1).optional(),
  kind: z.literal('S3'),
  roles: targetOnlyRoles,
  /** The S3 site S3_COPY uses when a request names none (else the first one). */
  default: z.boolean().default(false),
  /** Endpoint of an S3-compatible store (Ceph RGW, MinIO); unset → AWS. */
  endpoint: z.url().optional(),
  region: z.string().min(1).default('us-east-1'),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
  /** Key prefix of each user's objects; `{username}` is the Stagecoach username (it keeps users apart, so it is required). */
  prefix: z
    .string()
    .default('{username}/')
    .refine((v) => v.includes('{username}'), 'must contain {username}, so users never share keys')
    .refine((v) => !v.startsWith('/') && !/(^|\/)\.\.?(\/|$)/.test(v.replaceAll('{username}', 'u')), 'a relative key prefix without "." or ".." segments'),
  /** Path-style URLs (`https://host/bucket/key`): Ceph RGW and MinIO usually need it. */
  forcePathStyle: z.boolean().default(false),
  credentials: z.object({ accessKeyId: SecretRefSchema, secretAccessKey: SecretRefSchema, sessionToken: SecretRefSchema.optional() }).optional(),
  /** Endpoint in presigned links when users reach the store differently from Stagecoach. */
  publicEndpoint: z.url().optional(),
  /** How long presigned links (accessUrl) stay valid; at most 7 days (SigV4). */
  linkValidity: durationText
    .refine((v) => {
      // A malformed value already has its issue from durationText.
      const ms = parseDuration(v);
      return ms === null || (ms >= 1000 && ms <= 7 * 86_400_000);
    }, 'a duration between 1 second and 7 days, e.g. P7D or PT12H')
    .default('P7D'),
  /** Multipart part size (≥ 5 MiB); files up to it go in one PUT. Memory per upload ≈ partSize × queueSize (a buffer per part in flight). */
  partSizeBytes: z.number().int().min(5 * MIB).max(5 * 1024 * MIB).default(16 * MIB),
  /** Parts of one file uploaded at once (2: 32 MiB of part buffers per upload with the default part size). */
  queueSize: z.number().int().min(1).max(16).default(2),
  /** Have the store verify each part with a SHA-256 flexible checksum (AWS, recent MinIO and Ceph). */
  checksumAlgorithm: z.enum(['SHA256']).optional(),
});

export const SiteSchema = z.discriminatedUnion('kind', [PosixSiteSchema, WebdavSiteSchema, RucioSiteSchema, JupyterHubSiteSchema, S3SiteSchema]);
export const SitesFileSchema = z.object({ sites: z.array(SiteSchema).min(1) }).superRefine((v, ctx) => {
  const seen = new Set<string>();
  for (const [i, s] of v.sites.entries()) {
    if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['sites', i, 'id'], message: `duplicate site id "${s.id}"` });
    seen.add(s.id);
  }
  if (!v.sites.some((s) => s.roles.includes('source'))) ctx.addIssue({ code: 'custom', path: ['sites'], message: 'at least one site needs the role "source"' });
});

export type PosixSiteConfig = z.infer<typeof PosixSiteSchema>;
export type WebdavSiteConfig = z.infer<typeof WebdavSiteSchema>;
export type RucioSiteConfig = z.infer<typeof RucioSiteSchema>;
export type JupyterHubSiteConfig = z.infer<typeof JupyterHubSiteSchema>;
export type S3SiteConfig = z.infer<typeof S3SiteSchema>;
export type SiteConfig = z.infer<typeof SiteSchema>;

export class SitesConfigError extends Error {}

/** The sites used when SITES_FILE is unset: `archive` (source, with sandbox/) and `users` (user areas). */
export function defaultSites(dataDir: string): SiteConfig[] {
  return [
    { id: 'archive', name: 'Archive', kind: 'POSIX', root: path.join(dataDir, 'sites', 'archive'), roles: ['source'], sandbox: 'sandbox', default: true },
    { id: 'users', name: 'User areas', kind: 'POSIX', root: path.join(dataDir, 'sites', 'users'), roles: ['target'], default: false },
  ];
}

/** Reads and validates SITES_FILE (YAML or JSON); every problem is listed with its location. */
export async function loadSitesFile(file: string): Promise<SiteConfig[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new SitesConfigError(`SITES_FILE ${file} cannot be read: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw new SitesConfigError(`SITES_FILE ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
  const parsed = SitesFileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new SitesConfigError(`SITES_FILE ${file} is invalid:\n${lines.join('\n')}`);
  }
  const base = path.dirname(file);
  return parsed.data.sites.map((s) => {
    if (s.kind === 'POSIX') return { ...s, root: path.resolve(base, s.root) };
    if (s.kind === 'JUPYTERHUB') return { ...s, token: resolveSecretFile(base, s.token) };
    if (s.kind === 'S3') {
      const c = s.credentials;
      return c ? { ...s, credentials: { accessKeyId: resolveSecretFile(base, c.accessKeyId), secretAccessKey: resolveSecretFile(base, c.secretAccessKey), ...(c.sessionToken ? { sessionToken: resolveSecretFile(base, c.sessionToken) } : {}) } } : s;
    }
    return s.credentialsFile ? { ...s, credentialsFile: path.resolve(base, s.credentialsFile) } : s;
  });
}

/** Secret files are relative to SITES_FILE, like the other paths in it. */
function resolveSecretFile(base: string, ref: SecretRef): SecretRef {
  return 'file' in ref ? { file: path.resolve(base, ref.file) } : ref;
}
