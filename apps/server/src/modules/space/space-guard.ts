import fs from 'node:fs/promises';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { StagingMethod } from '@stagecoach/domain';
import { freeBytes, StorageError } from '@stagecoach/storage';
import type { Container } from '../../container';
import type { LifecycleService } from '../lifecycle/lifecycle.service';
import type { PosixSiteConfig } from '../sites/sites.config';
import { StagingRequest } from '../staging/staging-request.entity';
import { bytesStagedOnSite, evictionCandidates } from '../staging/staging.repository';
import { formatBytes, needsSpaceCheck, siteLifecycle, SPACE_METHODS, type SiteLifecycle } from '../lifecycle/lifecycle.config';

interface RequestInfo {
  ownerId: string;
  siteId: string | null;
  method: StagingMethod;
}

/**
 * Space-aware staging. Before each copy onto a site that asks for
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
    private readonly c: Pick<Container, 'config' | 'clock' | 'sites' | 'logger'>,
    /** Eviction removes results the way expiry does (the lifecycle service on the given EntityManager). */
    private readonly lifecycle: (em: EntityManager) => LifecycleService,
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
        if (await this.lifecycle(em).removeData(id, 'EVICTED')) evicted++;
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
  held(em: EntityManager, siteId: string): Promise<number> {
    return bytesStagedOnSite(em, siteId, SPACE_METHODS);
  }

  /** Evictable requests on the site, least recently accessed first. */
  private candidates(em: EntityManager, site: PosixSiteConfig, lc: SiteLifecycle, requestId: string, ownerId: string): Promise<string[]> {
    const now = this.c.clock.now();
    return evictionCandidates(em, { siteId: site.id, excludeId: requestId, ownerId, shared: lc.sharedCache, now, idleSince: new Date(now.getTime() - lc.idleAfterMs), methods: SPACE_METHODS });
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
