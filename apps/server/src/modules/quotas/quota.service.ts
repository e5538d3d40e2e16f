import type { EntityManager } from '@mikro-orm/postgresql';
import type { StagingMethod } from '@stagecoach/domain';
import type { Config } from '../../config/env';
import { AppError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import type { SiteRegistry } from '../sites/sites.service';
import { User } from '../users/user.entity';
import { formatBytes, SPACE_METHODS } from '../lifecycle/lifecycle.config';
import { activeRequestCount, bytesHeldByUser } from '../staging/staging.repository';
import { ANY_SITE, UserQuota } from './user-quota.entity';

/**
 * Methods whose results take bytes of their own on the target site, which the byte quota counts:
 * copies into a user area, and deliveries to a JupyterHub or S3 site (Stagecoach does not remove
 * those; they count until the request's results are expired, purged or deleted).
 */
export const QUOTA_METHODS: ReadonlySet<StagingMethod> = new Set<StagingMethod>([...SPACE_METHODS, 'JUPYTER_COPY', 'S3_COPY']);

export interface QuotaLimits {
  maxBytes: number | null;
  maxActiveRequests: number | null;
}

export interface QuotaSummary {
  activeRequests: number;
  maxActiveRequests: number | null;
  sites: { siteId: string; usedBytes: number; maxBytes: number | null }[];
}

export interface QuotaDeps {
  config: Pick<Config, 'quotas'>;
  sites: SiteRegistry;
}

/**
 * Per-user limits: bytes held per target site (staged, queued and in flight, until the results
 * expire) and requests active at once. Defaults come from QUOTA_BYTES_PER_SITE and
 * QUOTA_ACTIVE_REQUESTS; an administrator's override (user_quotas) wins, a site's row over the
 * user-wide `*` row. Checked when a request is submitted, before anything is queued: two requests
 * submitted at the same instant may both pass (a soft limit, not a reservation).
 */
export class QuotaService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: QuotaDeps,
  ) {}

  async limits(userId: string, siteId: string | null): Promise<QuotaLimits> {
    // Plain SQL: this runs on every `stage` call, where the entity query's building cost showed (bench stage-50c).
    const rows = await this.em.getConnection().execute<{ site_id: string; max_bytes: string | null; max_active_requests: number | null }[]>(
      `select site_id, max_bytes, max_active_requests from user_quotas where user_id = ? and site_id in (?, ?)`,
      [userId, ANY_SITE, siteId ?? ANY_SITE],
    );
    const own = siteId ? rows.find((r) => r.site_id === siteId) : undefined;
    const any = rows.find((r) => r.site_id === ANY_SITE);
    const num = (v: string | number | null | undefined) => (v === null || v === undefined ? undefined : Number(v));
    return {
      maxBytes: num(own?.max_bytes) ?? num(any?.max_bytes) ?? this.deps.config.quotas.bytesPerSite,
      maxActiveRequests: any?.max_active_requests ?? this.deps.config.quotas.activeRequests,
    };
  }

  /** Bytes the user holds on a site: files of unexpired requests that take space there, staged or still to stage. */
  bytesHeld(userId: string, siteId: string): Promise<number> {
    return bytesHeldByUser(this.em, userId, siteId, QUOTA_METHODS);
  }

  activeRequests(userId: string): Promise<number> {
    return activeRequestCount(this.em, userId);
  }

  /**
   * Throws QUOTA_EXCEEDED (with `quota`, `used`, `limit`, `requested` in extensions) when a new
   * request, or a finished one retried with `bytes` more, would not fit.
   */
  async assertAllowed(owner: Pick<User, 'id'>, req: { targetSiteId: string | null; method: StagingMethod; bytes: number }): Promise<void> {
    const limits = await this.limits(owner.id, req.targetSiteId);
    if (limits.maxActiveRequests !== null) {
      const used = await this.activeRequests(owner.id);
      if (used + 1 > limits.maxActiveRequests) {
        throw new AppError('QUOTA_EXCEEDED', `You have ${used} active request(s); at most ${limits.maxActiveRequests} may be queued or running at once. Wait for one to finish or cancel one.`, {
          quota: 'ACTIVE_REQUESTS',
          used,
          limit: limits.maxActiveRequests,
          requested: 1,
        });
      }
    }
    if (req.targetSiteId && QUOTA_METHODS.has(req.method) && limits.maxBytes !== null) {
      const used = await this.bytesHeld(owner.id, req.targetSiteId);
      if (used + req.bytes > limits.maxBytes) {
        throw new AppError(
          'QUOTA_EXCEEDED',
          `This request needs ${formatBytes(req.bytes)} on site "${req.targetSiteId}", where you already hold ${formatBytes(used)} of your ${formatBytes(limits.maxBytes)}. Let older results expire, or ask an administrator for more.`,
          { quota: 'BYTES', siteId: req.targetSiteId, used, limit: limits.maxBytes, requested: req.bytes },
        );
      }
    }
  }

  /** What `User.quota` shows: active requests and, for every target site, bytes held against the limit. */
  async summary(userId: string): Promise<QuotaSummary> {
    const any = await this.limits(userId, null);
    const sites = [];
    for (const s of this.deps.sites.sites.filter((x) => x.roles.includes('target'))) {
      sites.push({ siteId: s.id, usedBytes: await this.bytesHeld(userId, s.id), maxBytes: (await this.limits(userId, s.id)).maxBytes });
    }
    return { activeRequests: await this.activeRequests(userId), maxActiveRequests: any.maxActiveRequests, sites };
  }

  /** An administrator's override; null values fall back to the next level (site → user-wide → configuration). */
  async setOverride(admin: User | null, userId: string, siteId: string | null, values: { maxBytes: number | null; maxActiveRequests: number | null }): Promise<QuotaSummary> {
    const user = isUuid(userId) ? await this.em.findOne(User, { id: userId }) : null;
    if (!user) throw new AppError('NOT_FOUND', 'No such user.');
    if (siteId && !this.deps.sites.sites.some((s) => s.id === siteId && s.roles.includes('target'))) {
      throw new AppError('BAD_USER_INPUT', `Site "${siteId}" is not a target site.`, { field: 'siteId' });
    }
    if (siteId && values.maxActiveRequests !== null) throw new AppError('BAD_USER_INPUT', 'maxActiveRequests is per user: leave siteId empty to set it.', { field: 'maxActiveRequests' });
    for (const [name, v] of Object.entries(values)) {
      if (v !== null && (!Number.isSafeInteger(v) || v < 0)) throw new AppError('BAD_USER_INPUT', `${name} must be a whole number ≥ 0 (or null for the default).`, { field: name });
    }
    const key = siteId ?? ANY_SITE;
    const row = (await this.em.findOne(UserQuota, { user: user.id, siteId: key })) ?? this.em.create(UserQuota, { user, siteId: key, maxBytes: null, maxActiveRequests: null, updatedAt: new Date() });
    row.maxBytes = values.maxBytes;
    row.maxActiveRequests = values.maxActiveRequests;
    row.updatedById = admin?.id ?? null;
    if (row.maxBytes === null && row.maxActiveRequests === null) this.em.remove(row);
    await this.em.flush();
    return this.summary(user.id);
  }
}
