import type { EntityManager } from '@mikro-orm/postgresql';
import { parseCronItems, type ParsedCronItem, type TaskList } from 'graphile-worker';
import type { Config } from '../../config/env';
import { parseDuration } from '../../lib/duration';
import type { Container } from '../../container';
import { defineJob, jobTask, noPayload } from '../jobs/queue';
import { StagingRequest } from '../staging/staging-request.entity';
import { toSnapshot } from '../staging/staging.service';
import type { RequestFinishedHook } from '../staging/staging.worker';
import { siteLifecycle } from './lifecycle.config';
import { USER_AREA_METHODS } from './lifecycle.config';
import type { ExpiryNotifier } from './lifecycle.service';

/** The expiry sweep; scheduled by cron only, so it carries no payload. */
export const LIFECYCLE_SWEEP = defineJob('lifecycle_sweep', noPayload, { maxAttempts: 3 });

/**
 * The expiry sweep on graphile-worker's cron (LIFECYCLE_SWEEP_CRON): every replica registers it,
 * graphile-worker schedules each tick once (its known_crontabs row is the lock), and the job key
 * collapses ticks that pile up behind a long sweep. No backfill: the next tick catches up anyway.
 */
export function lifecycleCronItems(config: Pick<Config, 'lifecycle'>): ParsedCronItem[] {
  return parseCronItems([
    { task: LIFECYCLE_SWEEP.task, match: config.lifecycle.sweepCron, identifier: LIFECYCLE_SWEEP.task, options: { backfillPeriod: 0, maxAttempts: LIFECYCLE_SWEEP.maxAttempts, jobKey: LIFECYCLE_SWEEP.task } },
  ]);
}

/** The "expires soon" email through the outbox (template `request-expiring`), deduplicated per expiry. */
export function mailExpiryNotifier(c: Pick<Container, 'config' | 'services'>): ExpiryNotifier {
  return async (em, request, owner) => {
    await c.services(em).mail.queue(
      em,
      'request-expiring',
      owner.email,
      {
        name: owner.name || owner.username,
        requestId: request.id,
        method: request.method,
        expiresAt: request.expiresAt!.toISOString(),
        filesDone: String(request.filesDone),
        requestUrl: `${c.config.publicUrl}/requests/${request.id}`,
        appUrl: c.config.publicUrl,
      },
      { dedupeKey: `request-expiring:${request.id}:${request.expiresAt!.toISOString()}` },
    );
  };
}

/** One sweep: removes expired results, then queues warnings for those expiring within EXPIRY_WARNING. */
export async function runLifecycleSweep(c: Container, notify: ExpiryNotifier = mailExpiryNotifier(c)): Promise<{ expired: number; warned: number }> {
  const service = c.services(c.orm.em.fork()).lifecycle;
  const expired = await service.expireDue();
  const warned = await service.warnDue(notify);
  if (expired.length || warned) c.logger.info({ module: 'lifecycle', expired: expired.length, warned }, 'lifecycle sweep');
  return { expired: expired.length, warned };
}

export function lifecycleTasks(c: Container): TaskList {
  return {
    [LIFECYCLE_SWEEP.task]: jobTask(LIFECYCLE_SWEEP, async () => {
      await runLifecycleSweep(c);
    }),
  };
}

/**
 * The staging worker's RequestFinishedHook: a finished request with results in a user area gets
 * `expiresAt` = finish + its target site's retention (downloads already carry the link lifetime),
 * a DCACHE_STAGE request finish + the shortest pin lifetime of its sites, and its access clock starts.
 */
export function createLifecycleFinishedHook(c: Container): RequestFinishedHook {
  return async (request: StagingRequest, em: EntityManager) => {
    const at = request.finishedAt ?? c.clock.now();
    let expiresAt: Date | undefined;
    if (USER_AREA_METHODS.has(request.method) && request.targetSiteId && request.filesDone + request.filesSkipped > 0) {
      try {
        expiresAt = new Date(at.getTime() + siteLifecycle(c.sites.userAreas(request.targetSiteId), c.config).retentionMs);
      } catch {
        expiresAt = undefined; // the site left the configuration meanwhile: no expiry to compute
      }
    }
    // DCACHE_STAGE: the files stay online as long as their pins; the shortest pin of the request's sites ends it.
    if (request.method === 'DCACHE_STAGE' && request.filesDone > 0) {
      const pins = (request.urlSiteIds ?? []).flatMap((id) => {
        const site = c.sites.sites.find((s) => s.id === id);
        const ms = site?.kind === 'WEBDAV' ? parseDuration(site.pinLifetime) : null;
        return ms ? [ms] : [];
      });
      if (pins.length) expiresAt = new Date(at.getTime() + Math.min(...pins));
    }
    await em.nativeUpdate(StagingRequest, { id: request.id, expiredAt: null }, expiresAt ? { expiresAt, lastAccessedAt: at, expiryWarnedAt: null } : { lastAccessedAt: at });
    if (expiresAt) {
      const fresh = await em.fork().findOneOrFail(StagingRequest, { id: request.id });
      c.pubsub.publish('request:updated', fresh.id, toSnapshot(fresh));
    }
  };
}
