import fs from 'node:fs/promises';
import path from 'node:path';
import { listDirectoryPage, resolveInside, resolveInsideForWrite, type ListingPosition } from '@stagecoach/storage';
import type { Config } from '../../config/env';
import { AppError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { FIXTURES_DIR } from '../../lib/paths';
import { secretProblem } from './site-secrets';
import { defaultSites, loadSitesFile, SitesConfigError, type JupyterHubSiteConfig, type PosixSiteConfig, type S3SiteConfig, type SecretRef, type SiteConfig } from './sites.config';

/** Site kinds that receive files of remote-target methods (JUPYTER_COPY, S3_COPY). */
export type DeliverySiteKind = 'JUPYTERHUB' | 'S3';
export type DeliverySite<K extends DeliverySiteKind = DeliverySiteKind> = K extends 'JUPYTERHUB' ? JupyterHubSiteConfig : S3SiteConfig;
import { toAppError } from './storage-errors';

export interface DirEntryView {
  name: string;
  path: string;
  isDirectory: boolean;
  sizeBytes: number | null;
  /** Pass as `after` to list the entries that follow this one. */
  cursor: string;
}

/** Most entries one `browse` page returns (also its default page size). */
export const BROWSE_PAGE_MAX = 1000;

const browseCursor = (p: ListingPosition): string => Buffer.from(JSON.stringify([p.isDirectory ? 1 : 0, p.name])).toString('base64url');

function parseBrowseCursor(cursor: string): ListingPosition {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && (v[0] === 0 || v[0] === 1) && typeof v[1] === 'string') return { isDirectory: v[0] === 1, name: v[1] };
  } catch {
    // falls through to the error below
  }
  throw new AppError('BAD_USER_INPUT', 'after is not a cursor from browse.', { field: 'after' });
}

/**
 * The configured sites (from SITES_FILE or the defaults), loaded once at start. Sites never come
 * from user input: users name a site by id and give paths relative to its root.
 */
export class SiteRegistry {
  private readonly byId: Map<string, SiteConfig>;

  constructor(readonly sites: readonly SiteConfig[]) {
    this.byId = new Map(sites.map((s) => [s.id, s]));
  }

  /** Loads the sites; for the defaults, creates the folders and seeds `archive` with fixtures/files once. */
  static async load(config: Pick<Config, 'sitesFile' | 'dataDir' | 'readSecretEnv'>, logger: Logger): Promise<SiteRegistry> {
    const sites = config.sitesFile ? await loadSitesFile(config.sitesFile) : defaultSites(config.dataDir);
    await checkSecrets(config, sites);
    for (const site of sites) {
      if (site.kind !== 'POSIX') continue;
      if (!config.sitesFile) await fs.mkdir(site.root, { recursive: true, mode: 0o755 });
      if (site.sandbox) await fs.mkdir(path.join(site.root, site.sandbox), { recursive: true }).catch(() => undefined);
    }
    const archive = sites.find((s): s is PosixSiteConfig => s.id === 'archive' && s.kind === 'POSIX');
    if (!config.sitesFile && archive) await seedArchive(archive.root, config.dataDir, logger);
    return new SiteRegistry(sites);
  }

  get(id: string): SiteConfig {
    const site = this.byId.get(id);
    if (!site) throw new AppError('BAD_USER_INPUT', `There is no site "${id}".`, { field: 'siteId' });
    return site;
  }

  /** A POSIX site that can act as a source (the default one when `id` is omitted). */
  source(id?: string | null): PosixSiteConfig {
    const posixSources = this.sites.filter((s) => s.kind === 'POSIX' && s.roles.includes('source'));
    const site = id ? this.get(id) : (posixSources.find((s) => s.default) ?? posixSources[0]);
    // URL-routed sites (WEBDAV, RUCIO) are reached through their URL pattern, not as a path root.
    if (!site || site.kind !== 'POSIX' || !site.roles.includes('source')) throw new AppError('BAD_USER_INPUT', `Site "${id}" is not a source site.`, { field: 'sourceSiteId' });
    return site;
  }

  /** The POSIX site holding user areas (the default target of local methods). */
  userAreas(id?: string | null): PosixSiteConfig {
    const site = id ? this.get(id) : this.sites.find((s) => s.kind === 'POSIX' && s.roles.includes('target'));
    if (!site || site.kind !== 'POSIX' || !site.roles.includes('target')) {
      throw new AppError('BAD_USER_INPUT', id ? `Site "${id}" does not hold user areas.` : 'No site holds user areas.', { field: 'targetSiteId' });
    }
    return site;
  }

  /** The site a remote-target method delivers to: `id` when given (it must be of `kind`), else the default or first one of `kind`. */
  deliveryTarget<K extends DeliverySiteKind>(kind: K, id?: string | null): DeliverySite<K> {
    const ofKind = this.sites.filter((s) => s.kind === kind);
    const site = id ? this.get(id) : (ofKind.find((s) => s.default) ?? ofKind[0]);
    if (!site || site.kind !== kind) {
      throw new AppError('BAD_USER_INPUT', id ? `Site "${id}" is not a ${kind} site.` : `No ${kind} site is configured.`, { field: 'targetSiteId' });
    }
    return site as DeliverySite<K>;
  }

  /** The user's area `<root>/<username>`, created on first use. */
  async userAreaRoot(site: PosixSiteConfig, username: string): Promise<string> {
    const dir = path.join(site.root, username);
    await fs.mkdir(dir, { recursive: true, mode: 0o755 });
    return dir;
  }

  /**
   * Lists a folder of a source site for the staging form, a page at a time (folders first, then by
   * name): at most `first` entries after the `after` cursor, read without loading the whole folder.
   */
  async browse(siteId: string | null | undefined, userPath: string, page: { first?: number | null; after?: string | null } = {}): Promise<DirEntryView[]> {
    const site = this.source(siteId);
    const first = Math.min(Math.max(page.first ?? BROWSE_PAGE_MAX, 1), BROWSE_PAGE_MAX);
    const after = page.after ? parseBrowseCursor(page.after) : null;
    try {
      const abs = await resolveInside(site.root, userPath, { allowEmpty: true });
      const prefix = path.relative(await fs.realpath(site.root), abs);
      const { entries } = await listDirectoryPage(abs, { first, after });
      return entries.map((e) => ({
        name: e.name,
        path: prefix ? `${prefix.split(path.sep).join('/')}/${e.name}` : e.name,
        isDirectory: e.isDirectory,
        sizeBytes: e.isDirectory ? null : e.sizeBytes,
        cursor: browseCursor(e),
      }));
    } catch (e) {
      throw toAppError(e);
    }
  }

  /** Resolves a source path (must exist, must stay inside). */
  async resolveSource(site: PosixSiteConfig, userPath: string): Promise<string> {
    return resolveInside(site.root, userPath);
  }

  /** Resolves a target path inside a root for creation. */
  resolveTarget(root: string, userPath: string): Promise<string> {
    return resolveInsideForWrite(root, userPath);
  }
}

/** Every secret reference must yield a value at start: a typo is reported now, not at the first request. */
async function checkSecrets(config: Pick<Config, 'sitesFile' | 'readSecretEnv'>, sites: readonly SiteConfig[]): Promise<void> {
  const problems: string[] = [];
  for (const site of sites) {
    const refs: [string, SecretRef][] = [];
    if (site.kind === 'JUPYTERHUB') refs.push(['token', site.token]);
    if (site.kind === 'S3' && site.credentials) {
      refs.push(['credentials.accessKeyId', site.credentials.accessKeyId], ['credentials.secretAccessKey', site.credentials.secretAccessKey]);
      if (site.credentials.sessionToken) refs.push(['credentials.sessionToken', site.credentials.sessionToken]);
    }
    for (const [field, ref] of refs) {
      const problem = await secretProblem(config, ref);
      if (problem) problems.push(`  - site "${site.id}" ${field}: ${problem}`);
    }
  }
  if (problems.length) throw new SitesConfigError(`SITES_FILE ${config.sitesFile ?? ''} names secrets that cannot be read:\n${problems.join('\n')}`);
}

async function seedArchive(root: string, dataDir: string, logger: Logger): Promise<void> {
  // The marker lives beside the sites, not in the archive: users browse the archive.
  const marker = path.join(dataDir, 'sites', '.archive-seeded');
  if (await fs.stat(marker).then(() => true, () => false)) return;
  const from = path.join(FIXTURES_DIR, 'files');
  if (!(await fs.stat(from).then((s) => s.isDirectory(), () => false))) return;
  await fs.cp(from, root, { recursive: true, force: false, errorOnExist: false });
  await fs.writeFile(marker, new Date().toISOString());
  logger.info({ root }, 'seeded the archive site with the sample files');
}
