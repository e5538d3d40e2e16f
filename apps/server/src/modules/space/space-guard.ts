import fs from 'node:fs/promises';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { StagingMethod } from '@stagecoach/domain';
import { freeBytes, StorageError } from '@stagecoach/storage';
import type { Container } from '../../graphql/context';
import type { PosixSiteConfig } from '../sites/sites.config';
import { StagingRequest } from '../staging/staging-request.entity';
import { formatBytes, needsSpaceCheck, siteLifecycle, type SiteLifecycle } from '../lifecycle/lifecycle.config';
import { removeRequestData, SPACE_METHODS, TERMINAL_STATUSES } from '../lifecycle/lifecycle.service';

interface RequestInfo {
  ownerId: string;
  siteId: string | null;
  method: StagingMethod;
}

/**
 * Space-aware staging (cartd's eviction, done right). Before each copy onto a site that asks for
 * it (`cache`, `capacityBytes` or `reserveBytes` in SITES_FILE), checks that the file fits:
 * free = min(disk free − reserveBytes, capacityBytes − bytes held by unexpired results). When it
 * does not and the site is a cache, evicts finished results, least recently accessed first: any
 * expired one, and idle ones (not accessed for `evictIdleAfter`) of the same user — or of anyone
 * on a `sharedCache` site. Never a queued or running request. Still short → the file fails with
 * QUOTA_EXCEEDED and a message saying how much was needed and available.
 *
 * Checks are not reservations: two workers copying at once may both see the same free space, so
 * `reserveBytes` should cover a few files in flight; eviction is idempotent per request, so two
 * workers evicting at once remove nothing twice.
 */
export class SpaceGuard {
  private readonly requests = new Map<string, RequestInfo | null>();

  constructor(
    private readonly orm: MikroORM,
    private readonly c: Pick<Container, 'config' | 'clock' | 'sites' | 'pubsub' | 'logger'>,
  ) {}

  /** Makes room for `bytes` at `targetPath` for the request's copy, or throws StorageError QUOTA_EXCEEDED. */
  async ensureFor(requestId: string, bytes: number, targetPath: string): Promise<void> {
    const info = await this.requestInfo(requestId);
    if (!info?.siteId || !SPACE_METHODS.has(info.method)) return;
    let site: PosixSiteConfig;
    try {
      site = this.c.sites.userAreas(info.siteId);
    } catch {
      return;
    }
    const lc = siteLifecycle(site, this.c.config);
    if (!needsSpaceCheck(lc)) return;
    // Already there: identical → SKIPPED, different → TARGET_EXISTS; neither needs room.
    if (await fs.lstat(targetPath).then(() => true, () => false)) return;
    const em = this.orm.em.fork();
    let available = await this.available(em, site, lc);
    if (available >= bytes) return;
    let evicted = 0;
    if (lc.cache) {
      for (const id of await this.candidates(em, site, lc, requestId, info.ownerId)) {
        if (await removeRequestData(em, this.c, id, 'EVICTED')) evicted++;
        available = await this.available(em, site, lc);
        if (available >= bytes) {
          this.c.logger.info({ module: 'lifecycle', siteId: site.id, evicted, stagingRequestId: requestId }, 'evicted old results to make room');
          return;
        }
      }
    }
    throw new StorageError(
      'QUOTA_EXCEEDED',
      `Not enough space on site "${site.name ?? site.id}": this file needs ${formatBytes(bytes)}, free space is ${formatBytes(Math.max(available, 0))}${evicted ? ` after evicting ${evicted} older result(s)` : lc.cache ? ' and no older results may be evicted' : ''}.`,
      { retryable: false },
    );
  }

  /** Free bytes as staging sees them (see the class comment). */
  async available(em: EntityManager, site: PosixSiteConfig, lc: SiteLifecycle): Promise<number> {
    const disk = (await freeBytes(site.root)) - lc.reserveBytes;
    if (lc.capacityBytes === null) return disk;
    return Math.min(disk, lc.capacityBytes - (await this.held(em, site.id)));
  }

  /** Bytes of unexpired staged copies on the site (every user's). */
  async held(em: EntityManager, siteId: string): Promise<number> {
    const [row] = await em.getConnection().execute<{ used: string }[]>(
      `select coalesce(sum(f.size_bytes), 0) used
         from staged_files f join staging_requests r on r.id = f.request_id
        where r.target_site_id = ? and r.expired_at is null and r.method = any(?::text[]) and f.status = 'DONE'`,
      [siteId, `{${[...SPACE_METHODS].join(',')}}`],
    );
    return Number(row?.used ?? 0);
  }

  /** Evictable requests on the site, least recently accessed first. */
  private async candidates(em: EntityManager, site: PosixSiteConfig, lc: SiteLifecycle, requestId: string, ownerId: string): Promise<string[]> {
    const now = this.c.clock.now();
    const idleSince = new Date(now.getTime() - lc.idleAfterMs);
    const rows = await em.getConnection().execute<{ id: string }[]>(
      `select r.id from staging_requests r
        where r.target_site_id = ? and r.expired_at is null and r.id <> ?
          and r.status = any(?::text[]) and r.method = any(?::text[]) and r.files_done > 0
          and (r.expires_at <= ?
               or ((r.owner_id = ? or ?::boolean) and coalesce(r.last_accessed_at, r.finished_at) <= ?))
        order by coalesce(r.last_accessed_at, r.finished_at) asc, r.id
        limit 200`,
      [site.id, requestId, `{${TERMINAL_STATUSES.join(',')}}`, `{${[...SPACE_METHODS].join(',')}}`, now, ownerId, lc.sharedCache, idleSince],
    );
    return rows.map((r) => r.id);
  }

  private async requestInfo(requestId: string): Promise<RequestInfo | null> {
    if (this.requests.has(requestId)) return this.requests.get(requestId)!;
    const r = await this.orm.em.fork().findOne(StagingRequest, { id: requestId }, { fields: ['owner', 'targetSiteId', 'method'] });
    const info = r ? { ownerId: r.owner.id, siteId: r.targetSiteId ?? null, method: r.method } : null;
    // A request's owner, site and method never change: a small cache saves a query per file.
    if (this.requests.size > 1000) this.requests.clear();
    this.requests.set(requestId, info);
    return info;
  }
}
