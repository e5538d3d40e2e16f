import fs from 'node:fs/promises';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isTerminalRequestStatus, type LogLevel, type StagingMethod } from '@stagecoach/domain';
import { errnoCode, identityOf, resolveInsideForWrite } from '@stagecoach/storage';
import type { Container } from '../../container';
import { AppError } from '../../lib/errors';
import { describeDuration } from '../../lib/duration';
import { isUuid } from '../../lib/ids';
import type { LogsService } from '../logs/logs.service';
import { StagedFile } from '../staging/staged-file.entity';
import { StagingRequest } from '../staging/staging-request.entity';
import { toSnapshot } from '../staging/staging.service';
import { assignMissingExpiries, markExpired, targetUsage, TERMINAL_STATUSES } from '../staging/staging.repository';
import type { User } from '../users/user.entity';
import { formatBytes, siteLifecycle, USER_AREA_METHODS } from './lifecycle.config';

/** Why a request's results were removed: retention ran out, space was needed, an operator purged, a cart was deleted. */
export const EXPIRY_REASONS = ['EXPIRED', 'EVICTED', 'PURGED', 'DELETED'] as const;
export type ExpiryReason = (typeof EXPIRY_REASONS)[number];


export type LifecycleDeps = Pick<Container, 'config' | 'clock' | 'sites' | 'pubsub' | 'methods' | 'logger'>;

export interface RemovalResult {
  requestId: string;
  removed: number;
  bytes: number;
  /** Targets left in place: changed since staging, or still used by a newer request. */
  kept: number;
}

const PAGE = 500;

/**
 * Deletes the request's results: DONE files, and SKIPPED ones that a request of the same user
 * staged and that nobody changed since (an identical file the user put there themselves is never
 * ours to delete). A target another unexpired request of the user still relies on stays; so does
 * an entry that is no longer exactly what staging left: its identity (device, inode, size, mtime)
 * recorded at staging must still match, so a file edited in place, even to the same size, stays.
 */
async function removeFiles(em: EntityManager, deps: LifecycleDeps, request: StagingRequest, result: RemovalResult): Promise<void> {
  let siteRoot: string;
  try {
    siteRoot = deps.sites.userAreas(request.targetSiteId).root;
  } catch {
    return; // the site was removed from the configuration: nothing we can reach
  }
  const areaRoot = path.join(siteRoot, request.owner.username);
  if (!(await fs.lstat(areaRoot).then((s) => s.isDirectory(), () => false))) return;
  const sourceRoot = await fs.realpath(deps.sites.source(request.sourceSiteId).root).catch(() => null);
  const dirs = new Set<string>();
  for (let lastSeq = -1; ; ) {
    const page = await em.fork().find(StagedFile, { request: request.id, status: { $in: ['DONE', 'SKIPPED'] }, seq: { $gt: lastSeq } }, { orderBy: { seq: 'asc' }, limit: PAGE });
    if (page.length === 0) break;
    const usage = await targetUsage(em, { id: request.id, ownerId: request.owner.id, targetSiteId: request.targetSiteId ?? null, method: request.method }, page.map((f) => f.target));
    for (const f of page) {
      const u = usage.get(f.target);
      // A skipped target is ours only if it is still exactly the entry one of our requests created.
      const skippedOurs = f.status !== 'SKIPPED' || (f.stagedIdentity !== null && f.stagedIdentity !== undefined && !!u?.stagedIdentities.includes(f.stagedIdentity));
      if (u?.inUse || !skippedOurs) {
        result.kept++;
        continue;
      }
      const outcome = await removeOne(areaRoot, sourceRoot, request.method, f);
      if (outcome === 'removed') {
        result.removed++;
        result.bytes += Number(f.sizeBytes ?? 0);
        dirs.add(path.posix.dirname(f.target));
      } else if (outcome === 'kept') {
        result.kept++;
      }
    }
    if (page.length < PAGE) break;
    lastSeq = page.at(-1)!.seq;
  }
  await pruneEmptyDirs(areaRoot, dirs);
}

async function removeOne(areaRoot: string, sourceRoot: string | null, method: StagingMethod, f: StagedFile): Promise<'removed' | 'gone' | 'kept'> {
  let abs: string;
  try {
    // Not following the final component: a symlink made by LOCAL_SYMLINK points out of the area by design.
    abs = await resolveInsideForWrite(areaRoot, f.target);
  } catch {
    return 'kept';
  }
  const st = await fs.lstat(abs, { bigint: true }).catch((e: unknown) => {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return null;
    throw e;
  });
  if (!st) return 'gone';
  let ours: boolean;
  if (method === 'LOCAL_SYMLINK') ours = st.isSymbolicLink() && (sourceRoot === null || (await fs.readlink(abs)) === path.join(sourceRoot, f.source));
  else ours = st.isFile();
  // Staged before identities were recorded: the size is all there is to compare.
  if (ours) ours = f.stagedIdentity ? identityOf(st) === f.stagedIdentity : Number(st.size) === Number(f.sizeBytes ?? -1);
  if (!ours) return 'kept';
  await fs.unlink(abs).catch((e: unknown) => {
    if (errnoCode(e) !== 'ENOENT') throw e;
  });
  return 'removed';
}

/** Removes folders the staged files lived in once empty, deepest first, never the area itself. */
async function pruneEmptyDirs(areaRoot: string, dirs: Set<string>): Promise<void> {
  const all = new Set<string>();
  for (const d of dirs) for (let cur = d; cur && cur !== '.'; cur = path.posix.dirname(cur)) all.add(cur);
  const ordered = [...all].sort((a, b) => b.split('/').length - a.split('/').length);
  for (const rel of ordered) {
    try {
      const abs = await resolveInsideForWrite(areaRoot, rel);
      const st = await fs.lstat(abs);
      if (st.isDirectory()) await fs.rmdir(abs);
    } catch {
      // Not empty (the user keeps other files there), already gone, or not ours: leave it.
    }
  }
}

export interface PurgeCandidate {
  id: string;
  owner: string;
  method: StagingMethod;
  finishedAt: Date;
  filesDone: number;
  bytesDone: number;
}

/**
 * Removes what a finished request left in the user area and marks it expired (`expiredAt`,
 * `expiryReason`), revoking its download links. Deleting comes first and is idempotent, so a
 * crash in between, or two sweepers at once, leave nothing behind; the guarded update makes
 * exactly one of them log and publish. Returns null when the request is not (or no longer) eligible.
 */
async function removeRequestData(em: EntityManager, deps: LifecycleDeps, logs: LogsService, requestId: string, reason: ExpiryReason): Promise<RemovalResult | null> {
  const request = await em.fork().findOne(StagingRequest, { id: requestId }, { populate: ['owner'] });
  if (!request || request.expiredAt || !isTerminalRequestStatus(request.status)) return null;
  const result: RemovalResult = { requestId, removed: 0, bytes: 0, kept: 0 };
  if (USER_AREA_METHODS.has(request.method) && request.targetSiteId) await removeFiles(em, deps, request, result);
  // URL-sourced methods: what the request holds at the peers (pins) is released first.
  const handler = deps.methods.get(request.method);
  if (handler?.kind === 'url' && handler.remote.releaseRequest) {
    const peerLogs: { level: LogLevel; message: string }[] = [];
    await handler.remote.releaseRequest({
      requestId,
      em,
      config: deps.config,
      clock: deps.clock,
      sites: deps.sites.sites,
      fetch: globalThis.fetch,
      logger: deps.logger,
      log: (level, message) => peerLogs.push({ level, message }),
    });
    if (peerLogs.length) await logs.append(peerLogs.map((l) => ({ ...l, requestId, userId: request.owner.id })));
  }

  const now = deps.clock.now();
  if (!(await markExpired(em, requestId, reason, now))) return null;
  const what = `${result.removed} file(s) removed (${formatBytes(result.bytes)})${result.kept ? `, ${result.kept} left in place (changed since staging or still used by a newer request)` : ''}`;
  const message = {
    EXPIRED: `request expired: ${what}`,
    EVICTED: `request evicted to free space on the target site: ${what}`,
    PURGED: `request purged by an operator: ${what}`,
    DELETED: `request deleted by its owner: ${what}`,
  }[reason];
  await logs.append([{ level: reason === 'EXPIRED' || reason === 'DELETED' ? 'INFO' : 'WARN', message, requestId, userId: request.owner.id, fields: { ...result, reason } }]);
  const fresh = await em.fork().findOneOrFail(StagingRequest, { id: requestId });
  deps.pubsub.publish('request:updated', requestId, toSnapshot(fresh));
  return result;
}

/** Expiry, extension, expiry warnings and purges of staged results. */
export class LifecycleService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: LifecycleDeps,
    private readonly logs: LogsService,
  ) {}

  /**
   * Removes what a finished request left in the user area and marks it expired for `reason`;
   * null when it is not (or no longer) eligible.
   */
  removeData(requestId: string, reason: ExpiryReason): Promise<RemovalResult | null> {
    return removeRequestData(this.em, this.deps, this.logs, requestId, reason);
  }

  /** The expiry a finished request gets: its target site's retention, or the link lifetime for downloads. */
  originalExpiry(r: Pick<StagingRequest, 'method' | 'targetSiteId' | 'finishedAt'>): Date | null {
    if (!r.finishedAt) return null;
    if (USER_AREA_METHODS.has(r.method) && r.targetSiteId) {
      try {
        return new Date(r.finishedAt.getTime() + siteLifecycle(this.deps.sites.userAreas(r.targetSiteId), this.deps.config).retentionMs);
      } catch {
        return null;
      }
    }
    if (r.method === 'DIRECT_DOWNLOAD') return new Date(r.finishedAt.getTime() + this.deps.config.downloadLinkTtlMs);
    return null;
  }

  /**
   * Gives finished user-area requests without an expiry their site's retention. The staging
   * worker's finished hook normally does it right after the request closes, but hooks run after
   * that commit: a crash in between must not leave results that never expire.
   */
  async assignMissingExpiries(): Promise<number> {
    let n = 0;
    for (const site of this.deps.sites.sites) {
      if (site.kind !== 'POSIX' || !site.roles.includes('target')) continue;
      const retentionSeconds = siteLifecycle(site, this.deps.config).retentionMs / 1000;
      n += await assignMissingExpiries(this.em, site.id, retentionSeconds, USER_AREA_METHODS);
    }
    return n;
  }

  /** Removes the results of every request whose expiry has passed; returns how many expired. */
  async expireDue(limit = 500): Promise<RemovalResult[]> {
    await this.assignMissingExpiries();
    const now = this.deps.clock.now();
    const due = await this.em.find(StagingRequest, { expiresAt: { $lte: now }, expiredAt: null, status: { $in: TERMINAL_STATUSES } }, { fields: ['id'], orderBy: { expiresAt: 'asc' }, limit });
    const done: RemovalResult[] = [];
    for (const r of due) {
      const res = await this.removeData(r.id, 'EXPIRED');
      if (res) done.push(res);
    }
    return done;
  }

  /**
   * Requests expiring within EXPIRY_WARNING that still hold data and were not warned about this
   * expiry yet. Each is claimed (expiry_warned_at) before `notify` runs, in one transaction, so a
   * warning is queued once even when two sweeps overlap; extending clears the claim.
   */
  async warnDue(notify: ExpiryNotifier, limit = 500): Promise<number> {
    const now = this.deps.clock.now();
    const horizon = new Date(now.getTime() + this.deps.config.lifecycle.warnBeforeMs);
    const due = await this.em.find(
      StagingRequest,
      { expiresAt: { $gt: now, $lte: horizon }, expiredAt: null, expiryWarnedAt: null, status: { $in: TERMINAL_STATUSES }, filesDone: { $gt: 0 } },
      { populate: ['owner'], orderBy: { expiresAt: 'asc' }, limit },
    );
    let sent = 0;
    for (const r of due) {
      const claimed = await this.em.transactional(async (tx) => {
        const n = await tx.nativeUpdate(StagingRequest, { id: r.id, expiryWarnedAt: null }, { expiryWarnedAt: now });
        if (n) await notify(tx, r, r.owner as User);
        return n > 0;
      });
      if (claimed) sent++;
    }
    return sent;
  }

  /**
   * Pushes a finished request's expiry `days` further (from now if it is already due). Users may
   * reach at most EXTEND_MAX beyond the original expiry; administrators have no limit.
   */
  async extend(viewer: User, id: string, days: number): Promise<StagingRequest> {
    if (!Number.isInteger(days) || days < 1 || days > 3650) throw new AppError('BAD_USER_INPUT', 'days must be a whole number between 1 and 3650.', { field: 'days' });
    const r = isUuid(id) ? await this.em.findOne(StagingRequest, { id }, { populate: ['owner'] }) : null;
    if (!r || (r.owner.id !== viewer.id && viewer.role !== 'ADMIN')) throw new AppError('NOT_FOUND', 'No such staging request.');
    if (r.expiredAt) throw new AppError('BAD_USER_INPUT', 'The results of this request were already removed; stage the files again instead.');
    if (!isTerminalRequestStatus(r.status) || !r.expiresAt) throw new AppError('BAD_USER_INPUT', 'Only finished requests that expire can be extended.');
    const now = this.deps.clock.now();
    const base = Math.max(r.expiresAt.getTime(), now.getTime());
    const wanted = new Date(base + days * 86_400_000);
    if (viewer.role !== 'ADMIN') {
      const original = this.originalExpiry(r) ?? r.expiresAt;
      const max = new Date(original.getTime() + this.deps.config.lifecycle.extendMaxMs);
      if (wanted > max) {
        throw new AppError(
          'BAD_USER_INPUT',
          `A request can be kept at most ${describeDuration(this.deps.config.lifecycle.extendMaxMs)} beyond its original expiry, i.e. until ${max.toISOString()}; ask an administrator for longer.`,
          { field: 'days', maxExpiresAt: max.toISOString() },
        );
      }
    }
    await this.em.nativeUpdate(StagingRequest, { id: r.id, expiredAt: null }, { expiresAt: wanted, expiryWarnedAt: null, lastAccessedAt: now });
    await this.logs.append([{ level: 'INFO', message: `expiry extended to ${wanted.toISOString()} by ${viewer.email}`, requestId: r.id, userId: r.owner.id }]);
    const fresh = await this.em.fork().findOneOrFail(StagingRequest, { id: r.id });
    this.deps.pubsub.publish('request:updated', r.id, toSnapshot(fresh));
    return fresh;
  }

  /** Finished requests older than `olderThanMs` that still hold results; with `dryRun` nothing is removed. */
  async purge(opts: { olderThanMs: number; dryRun: boolean; limit?: number }): Promise<{ candidates: PurgeCandidate[]; removed: RemovalResult[] }> {
    const cutoff = new Date(this.deps.clock.now().getTime() - opts.olderThanMs);
    const rows = await this.em.find(
      StagingRequest,
      { finishedAt: { $lt: cutoff }, expiredAt: null, status: { $in: TERMINAL_STATUSES }, $or: [{ filesDone: { $gt: 0 } }, { filesSkipped: { $gt: 0 } }] },
      { populate: ['owner'], orderBy: { finishedAt: 'asc' }, limit: opts.limit ?? 10_000 },
    );
    const candidates = rows.map((r) => ({ id: r.id, owner: r.owner.email, method: r.method, finishedAt: r.finishedAt!, filesDone: r.filesDone, bytesDone: Number(r.bytesDone) }));
    const removed: RemovalResult[] = [];
    if (!opts.dryRun) {
      for (const c of candidates) {
        const res = await this.removeData(c.id, 'PURGED');
        if (res) removed.push(res);
      }
    }
    return { candidates, removed };
  }

  /** Records that a request's results were used (downloads, carts): eviction takes the least recently used first. */
  async touch(requestId: string): Promise<void> {
    await this.em.nativeUpdate(StagingRequest, { id: requestId }, { lastAccessedAt: this.deps.clock.now() });
  }
}

/** Queues the "your results expire soon" email (or any other notice) inside the claiming transaction. */
export type ExpiryNotifier = (em: EntityManager, request: StagingRequest, owner: User) => Promise<void>;
