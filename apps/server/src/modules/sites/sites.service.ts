import fs from 'node:fs/promises';
import path from 'node:path';
import { listDirectory, resolveInside, resolveInsideForWrite } from '@stagecoach/storage';
import type { Config } from '../../config/env';
import { AppError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { FIXTURES_DIR } from '../../lib/paths';
import { defaultSites, loadSitesFile, type PosixSiteConfig, type SiteConfig } from './sites.config';
import { toAppError } from './storage-errors';

export interface DirEntryView {
  name: string;
  path: string;
  isDirectory: boolean;
  sizeBytes: number | null;
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
  static async load(config: Pick<Config, 'sitesFile' | 'dataDir'>, logger: Logger): Promise<SiteRegistry> {
    const sites = config.sitesFile ? await loadSitesFile(config.sitesFile) : defaultSites(config.dataDir);
    for (const site of sites) {
      if (site.kind !== 'POSIX') continue;
      if (!config.sitesFile) await fs.mkdir(site.root, { recursive: true, mode: 0o755 });
      if (site.sandbox) await fs.mkdir(path.join(site.root, site.sandbox), { recursive: true }).catch(() => undefined);
    }
    const archive = sites.find((s) => s.id === 'archive');
    if (!config.sitesFile && archive) await seedArchive(archive.root, logger);
    return new SiteRegistry(sites);
  }

  get(id: string): SiteConfig {
    const site = this.byId.get(id);
    if (!site) throw new AppError('BAD_USER_INPUT', `There is no site "${id}".`, { field: 'siteId' });
    return site;
  }

  /** A POSIX site that can act as a source (the default one when `id` is omitted). */
  source(id?: string | null): PosixSiteConfig {
    const site = id ? this.get(id) : (this.sites.find((s) => s.roles.includes('source') && 'default' in s && s.default) ?? this.sites.find((s) => s.roles.includes('source')));
    if (!site || !site.roles.includes('source')) throw new AppError('BAD_USER_INPUT', `Site "${id}" is not a source site.`, { field: 'sourceSiteId' });
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

  /** The user's area `<root>/<username>`, created on first use. */
  async userAreaRoot(site: PosixSiteConfig, username: string): Promise<string> {
    const dir = path.join(site.root, username);
    await fs.mkdir(dir, { recursive: true, mode: 0o755 });
    return dir;
  }

  /** Lists a folder of a source site for the staging form. */
  async browse(siteId: string | null | undefined, userPath: string): Promise<DirEntryView[]> {
    const site = this.source(siteId);
    try {
      const abs = await resolveInside(site.root, userPath, { allowEmpty: true });
      const prefix = path.relative(await fs.realpath(site.root), abs);
      const entries = await listDirectory(abs);
      return entries.map((e) => ({
        name: e.name,
        path: prefix ? `${prefix.split(path.sep).join('/')}/${e.name}` : e.name,
        isDirectory: e.isDirectory,
        sizeBytes: e.isDirectory ? null : e.sizeBytes,
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

async function seedArchive(root: string, logger: Logger): Promise<void> {
  const marker = path.join(root, '.stagecoach-seeded');
  if (await fs.stat(marker).then(() => true, () => false)) return;
  const from = path.join(FIXTURES_DIR, 'files');
  if (!(await fs.stat(from).then((s) => s.isDirectory(), () => false))) return;
  await fs.cp(from, root, { recursive: true, force: false, errorOnExist: false });
  await fs.writeFile(marker, new Date().toISOString());
  logger.info({ root }, 'seeded the archive site with the sample files');
}
