import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { deriveRequestStatus, isTerminalRequestStatus, normalizeRelativePath, type FileStatus, type RequestStatus, type StagingMethod } from '@stagecoach/domain';
import { realRootOf, StorageError, walkFiles } from '@stagecoach/storage';
import type { Config } from '../../config/env';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import type { PubSub, RequestSnapshot } from '../../lib/pubsub';
import { QuotaService } from '../quotas/quota.service';
import type { LogsService } from '../logs/logs.service';
import type { MethodRegistry } from '../methods/registry';
import type { RemoteDelivery } from '../methods/remote-target';
import type { DeliverySite, SiteRegistry } from '../sites/sites.service';
import type { User } from '../users/user.entity';
import { StagedFile } from './staged-file.entity';
import { enqueueStageJobs, stageCommitterFor, type StageBatchPayload } from './stage-commits';
import { itemsError, type ItemProblem } from './staging.errors';
import { planUrlSources } from './url-plan';
import { StagingRequest } from './staging-request.entity';

export interface StageItem {
  source: string;
  target?: string | null;
}

export interface StageInput {
  method: StagingMethod;
  items: StageItem[];
  sourceSiteId?: string | null;
  targetSiteId?: string | null;
  notify?: boolean | null;
  idempotencyKey?: string | null;
}

/** Files per job: small enough to spread over workers, large enough to amortise job overhead (see bench). */
export const BATCH_SIZE = 200;

export { STAGE_BATCH_TASK, type StageBatchPayload } from './stage-commits';

export interface StagingDeps {
  config: Config;
  clock: Clock;
  sites: SiteRegistry;
  methods: MethodRegistry;
  pubsub: PubSub;
}

interface PlannedFile {
  source: string;
  target: string;
  sizeBytes: number;
  /** Index of the submitted item it came from (folders expand to many files): errors point at it. */
  item: number;
}

export function toSnapshot(r: StagingRequest): RequestSnapshot {
  return {
    id: r.id,
    ownerId: typeof r.owner === 'object' ? r.owner.id : String(r.owner),
    method: r.method,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    expiresAt: r.expiresAt?.toISOString() ?? null,
    expiredAt: r.expiredAt?.toISOString() ?? null,
    expiryReason: r.expiryReason ?? null,
    filesTotal: r.filesTotal,
    filesDone: r.filesDone,
    filesSkipped: r.filesSkipped,
    filesFailed: r.filesFailed,
    filesCancelled: r.filesCancelled,
    bytesTotal: Number(r.bytesTotal),
    bytesDone: Number(r.bytesDone),
    linkVersion: r.linkVersion,
  };
}

const joinRel = (...parts: string[]) => parts.filter(Boolean).join('/');

/** Requests: validation, queuing, reading with ownership, cancel and retry. */
export class StagingService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: StagingDeps,
    private readonly logs: LogsService,
  ) {}

  /**
   * Validates the whole request first (method, every path, every source) and queues nothing on
   * any error; then stores the request and its files and enqueues the batch jobs in one
   * transaction, so a request is either fully queued or not at all.
   */
  async stage(owner: User, input: StageInput): Promise<StagingRequest> {
    const key = input.idempotencyKey?.trim() || null;
    if (key && key.length > 200) throw new AppError('BAD_USER_INPUT', 'idempotencyKey must be at most 200 characters.');
    if (key) {
      const existing = await this.em.findOne(StagingRequest, { owner: owner.id, idempotencyKey: key });
      if (existing) return existing;
    }
    const handler = this.deps.methods.get(input.method);
    if (!handler) throw new AppError('METHOD_NOT_ALLOWED', `The method ${input.method} is not offered here.`, { method: input.method });
    const max = this.deps.config.maxItemsPerRequest;
    if (input.items.length === 0) throw new AppError('BAD_USER_INPUT', 'Give at least one item to stage.');
    if (input.items.length > max) throw new AppError('BAD_USER_INPUT', `At most ${max} items per request (got ${input.items.length}).`);

    // URL-sourced methods (DCACHE_STAGE, RUCIO_COPY): sources are routed to sites by URL pattern, not resolved under a root.
    const remote = handler.source === 'url' ? handler.remote : undefined;
    const routed = remote ? planUrlSources(this.deps.sites.sites, remote, input.items) : null;
    const sourceSite = routed ? null : this.deps.sites.source(input.sourceSiteId);
    const targetSite = !routed && handler.target === 'user-area' ? this.deps.sites.userAreas(input.targetSiteId) : null;
    // Remote-target methods (JUPYTER_COPY, S3_COPY): the site of the method's kind, or the one the request names.
    const deliverySite = !routed && handler.delivery ? this.deps.sites.deliveryTarget(handler.delivery.siteKind, input.targetSiteId) : null;
    const planned = routed ? routed.planned : await this.plan(sourceSite!.root, input.items);
    if (planned.length > max) throw new AppError('BAD_USER_INPUT', `The folders expand to ${planned.length} files; at most ${max} per request.`);
    if (targetSite) await this.checkTargets(targetSite.root, owner.username, planned);
    if (deliverySite) checkDeliveryTargets(handler.delivery!, deliverySite, owner, planned);

    const bytesTotal = planned.reduce((s, f) => s + f.sizeBytes, 0);
    // Quotas (modules/lifecycle) are checked last, with the real size, and still before anything is queued.
    await new QuotaService(this.em, this.deps).assertAllowed(owner, { targetSiteId: targetSite?.id ?? null, method: input.method, bytes: bytesTotal });
    const ids = planned.map(() => randomUUID());
    const jobSize = remote ? ids.length : BATCH_SIZE;
    const jobs: string[][] = [];
    for (let i = 0; i < ids.length; i += jobSize) jobs.push(ids.slice(i, i + jobSize));
    // Stored with concurrent calls in one transaction (see stage-commits.ts), still all or nothing.
    const written = await stageCommitterFor(this.em, this.logs).submit({
      request: {
        ownerId: owner.id,
        method: input.method,
        sourceSiteId: sourceSite?.id ?? routed!.siteIds.join(',').slice(0, 255),
        targetSiteId: targetSite?.id ?? deliverySite?.id ?? null,
        notify: input.notify ?? false,
        idempotencyKey: key,
        filesTotal: planned.length,
        bytesTotal,
        createdAt: this.deps.clock.now(),
      },
      files: planned.map((f, seq) => ({ id: ids[seq]!, seq, source: f.source, target: f.target, sizeBytes: f.sizeBytes })),
      jobs,
      log: { level: 'INFO', message: `request submitted: ${input.method}, ${planned.length} file(s), ${bytesTotal} bytes` },
    });
    this.logs.publish(written.events);
    this.deps.pubsub.publish('request:updated', written.request.id, toSnapshot(written.request));
    return written.request;
  }

  /** Enqueues the files in batches with graphile-worker's SQL API, inside the caller's transaction. */
  /** `batchSize`: URL-sourced methods get one job for all files (one tape request / macaroon per site per request). */
  private async enqueue(em: EntityManager, requestId: string, fileIds: string[], batchSize = BATCH_SIZE): Promise<void> {
    const payloads: StageBatchPayload[] = [];
    for (let i = 0; i < fileIds.length; i += batchSize) payloads.push({ requestId, fileIds: fileIds.slice(i, i + batchSize) });
    await enqueueStageJobs(em, payloads);
  }

  /** Resolves every source (expanding folders) and collects every problem before failing. */
  private async plan(root: string, items: StageItem[]): Promise<PlannedFile[]> {
    const outside: ItemProblem[] = [];
    const missing: ItemProblem[] = [];
    const bad: ItemProblem[] = [];
    const planned: PlannedFile[] = [];
    const realRoot = await realRootOf(root).catch(() => {
      throw new AppError('SITE_UNAVAILABLE', 'The source storage is not available right now.');
    });
    for (const [index, item] of items.entries()) {
      try {
        const abs = await this.deps.sites.resolveSource({ root } as never, item.source);
        const rel = path.relative(realRoot, abs).split(path.sep).join('/');
        const targetBase = item.target?.trim() ? item.target.trim() : rel;
        const normTarget = normalizeRelativePath(targetBase);
        if (!normTarget.ok) {
          outside.push({ index, source: item.source, code: 'PATH_OUTSIDE_ROOT', message: `Target ${JSON.stringify(targetBase)} is not allowed: ${normTarget.reason}.` });
          continue;
        }
        const st = await fs.stat(abs);
        if (st.isDirectory()) {
          let any = false;
          for await (const f of walkFiles(abs)) {
            any = true;
            planned.push({ source: joinRel(rel, f.path), target: joinRel(normTarget.path, f.path), sizeBytes: f.sizeBytes, item: index });
          }
          if (!any) bad.push({ index, source: item.source, code: 'BAD_USER_INPUT', message: `The folder ${JSON.stringify(item.source)} contains no files.` });
        } else if (st.isFile()) {
          planned.push({ source: rel, target: normTarget.path, sizeBytes: st.size, item: index });
        } else {
          bad.push({ index, source: item.source, code: 'BAD_USER_INPUT', message: `${JSON.stringify(item.source)} is not a regular file or folder.` });
        }
      } catch (e) {
        if (e instanceof StorageError && e.code === 'PATH_OUTSIDE_ROOT') outside.push({ index, source: item.source, code: e.code, message: e.message });
        else if (e instanceof StorageError && e.code === 'SOURCE_NOT_FOUND') missing.push({ index, source: item.source, code: e.code, message: e.message });
        else if (e instanceof StorageError && e.code === 'SITE_UNAVAILABLE') throw new AppError('SITE_UNAVAILABLE', e.message);
        else throw e;
      }
    }
    if (outside.length) throw itemsError('PATH_OUTSIDE_ROOT', outside);
    if (missing.length) throw itemsError('SOURCE_NOT_FOUND', missing);
    if (bad.length) throw itemsError('BAD_USER_INPUT', bad);
    const seen = new Map<string, number>();
    const dupes: ItemProblem[] = [];
    for (const f of planned) {
      if (seen.has(f.target)) dupes.push({ index: f.item, source: f.source, code: 'BAD_USER_INPUT', message: `Two items would land on ${JSON.stringify(f.target)}.` });
      seen.set(f.target, f.item);
    }
    if (dupes.length) throw itemsError('BAD_USER_INPUT', dupes);
    return planned;
  }

  /** Every target must resolve inside the user's area (e.g. no symlink in the area leading out). */
  private async checkTargets(root: string, username: string, planned: PlannedFile[]): Promise<void> {
    const areaRoot = await this.deps.sites.userAreaRoot({ root } as never, username);
    const outside: ItemProblem[] = [];
    // Distinct parent folders only: 10,000 files usually share a handful of folders.
    const checked = new Set<string>();
    for (const f of planned) {
      const parent = path.posix.dirname(f.target);
      if (checked.has(parent)) continue;
      checked.add(parent);
      try {
        await this.deps.sites.resolveTarget(areaRoot, f.target);
      } catch (e) {
        if (e instanceof StorageError && e.code === 'PATH_OUTSIDE_ROOT') outside.push({ index: f.item, source: f.source, code: e.code, message: e.message });
        else throw e;
      }
    }
    if (outside.length) throw itemsError('PATH_OUTSIDE_ROOT', outside);
  }

  /** A request the viewer may see: their own, or any for admins; NOT_FOUND otherwise (existence is not revealed). */
  async getVisible(viewer: User, id: string): Promise<StagingRequest> {
    const r = isUuid(id) ? await this.em.findOne(StagingRequest, { id }) : null;
    if (!r || (r.owner.id !== viewer.id && viewer.role !== 'ADMIN')) throw new AppError('NOT_FOUND', 'No such staging request.');
    return r;
  }

  /** Newest first, cursor = base64(createdAt|id). `mine: false` lists everyone's (admins only). */
  async list(viewer: User, opts: { first: number; after?: string | null; status?: RequestStatus[] | null; mine: boolean }) {
    if (!opts.mine && viewer.role !== 'ADMIN') throw new AppError('FORBIDDEN', 'Only administrators may list other users’ requests.');
    const first = Math.min(Math.max(opts.first, 1), 200);
    const where: Record<string, unknown> = {};
    if (opts.mine) where.owner = viewer.id;
    if (opts.status?.length) where.status = { $in: opts.status };
    const totalCount = await this.em.count(StagingRequest, where);
    if (opts.after) {
      const [at, id] = Buffer.from(opts.after, 'base64url').toString().split('|');
      if (!at || !id || Number.isNaN(Date.parse(at))) throw new AppError('BAD_USER_INPUT', 'Invalid cursor.');
      where.$or = [{ createdAt: { $lt: new Date(at) } }, { createdAt: new Date(at), id: { $lt: id } }];
    }
    const rows = await this.em.find(StagingRequest, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: first + 1 });
    const page = rows.slice(0, first);
    const cursorOf = (r: StagingRequest) => Buffer.from(`${r.createdAt.toISOString()}|${r.id}`).toString('base64url');
    return { nodes: page, cursorOf, hasNextPage: rows.length > first, totalCount };
  }

  /** A request's files in order, cursor = seq. */
  async files(requestId: string, opts: { first: number; after?: string | null; status?: FileStatus[] | null }) {
    const first = Math.min(Math.max(opts.first, 1), 1000);
    const where: Record<string, unknown> = { request: requestId };
    if (opts.status?.length) where.status = { $in: opts.status };
    const totalCount = await this.em.count(StagedFile, where);
    if (opts.after) {
      const seq = Number(Buffer.from(opts.after, 'base64url').toString());
      if (!Number.isInteger(seq)) throw new AppError('BAD_USER_INPUT', 'Invalid cursor.');
      where.seq = { $gt: seq };
    }
    const rows = await this.em.find(StagedFile, where, { orderBy: { seq: 'asc' }, limit: first + 1 });
    return {
      nodes: rows.slice(0, first),
      cursorOf: (f: StagedFile) => Buffer.from(String(f.seq)).toString('base64url'),
      hasNextPage: rows.length > first,
      totalCount,
    };
  }

  /** Cancels pending files at once; running transfers see it within a flush interval and abort. */
  async cancel(viewer: User, id: string): Promise<StagingRequest> {
    const r = await this.getVisible(viewer, id);
    if (isTerminalRequestStatus(r.status)) throw new AppError('NOT_CANCELLABLE', `The request is already ${r.status.toLowerCase().replace('_', ' ')}.`);
    const now = this.deps.clock.now();
    const events = await this.em.transactional(async (em) => {
      // Conditional update: a request that finished meanwhile stays finished.
      const n = await em.nativeUpdate(StagingRequest, { id: r.id, status: { $in: ['QUEUED', 'RUNNING'] } }, { status: 'CANCELLED', cancelledAt: now, finishedAt: now, linkVersion: r.linkVersion + 1 });
      if (n === 0) throw new AppError('NOT_CANCELLABLE', 'The request finished before it could be cancelled.');
      await em.nativeUpdate(StagedFile, { request: r.id, status: 'PENDING' }, { status: 'CANCELLED', errorCode: 'CANCELLED', errorMessage: 'Cancelled by the user.', finishedAt: now });
      // URL-sourced methods: a job (with no files) cancels the remote work at the peers even if no worker follows the request any more.
      if (this.deps.methods.get(r.method)?.remote) await enqueueStageJobs(em, [{ requestId: r.id, fileIds: [] }]);
      return this.logs.insert([{ level: 'WARN', message: `request cancelled by ${viewer.email}`, requestId: r.id, userId: r.owner.id }], em);
    });
    this.logs.publish(events);
    const updated = await refreshCounters(this.em, r.id);
    this.deps.pubsub.publish('request:updated', r.id, toSnapshot(updated));
    return updated;
  }

  /** Re-queues the FAILED files of a finished request. */
  async retry(viewer: User, id: string): Promise<StagingRequest> {
    const r = await this.getVisible(viewer, id);
    if (!isTerminalRequestStatus(r.status)) throw new AppError('BAD_USER_INPUT', 'The request is still running; retry it once it has finished.');
    // Its results were removed (modules/lifecycle): new files would belong to a request nothing expires any more.
    if (r.expiredAt) throw new AppError('BAD_USER_INPUT', 'The results of this request were removed; stage the files again instead.');
    const failed = await this.em.find(StagedFile, { request: r.id, status: 'FAILED' }, { fields: ['id'], orderBy: { seq: 'asc' } });
    if (failed.length === 0) throw new AppError('BAD_USER_INPUT', 'The request has no failed files to retry.');
    const events = await this.em.transactional(async (em) => {
      await em.nativeUpdate(StagedFile, { request: r.id, status: 'FAILED' }, { status: 'PENDING', errorCode: null, errorMessage: null, errorStack: null, finishedAt: null, bytesDone: 0 });
      await em.nativeUpdate(StagingRequest, { id: r.id }, { status: 'QUEUED', finishedAt: null, cancelledAt: null });
      await this.enqueue(em, r.id, failed.map((f) => f.id), this.deps.methods.get(r.method)?.remote ? failed.length : BATCH_SIZE);
      return this.logs.insert([{ level: 'INFO', message: `retrying ${failed.length} failed file(s)`, requestId: r.id, userId: r.owner.id }], em);
    });
    this.logs.publish(events);
    const updated = await refreshCounters(this.em, r.id);
    this.deps.pubsub.publish('request:updated', r.id, toSnapshot(updated));
    return updated;
  }
}

/** Asks a remote-target method about every target (lexically valid already): e.g. S3's key length, Jupyter's hidden names. */
function checkDeliveryTargets(delivery: RemoteDelivery, site: DeliverySite, owner: User, planned: PlannedFile[]): void {
  if (!delivery.checkTarget) return;
  const who = { id: owner.id, username: owner.username, email: owner.email, oidcSubject: owner.oidcSubject ?? null };
  const bad: ItemProblem[] = [];
  for (const f of planned) {
    const problem = delivery.checkTarget(site, who, f.target);
    if (problem) bad.push({ index: f.item, source: f.source, code: 'BAD_USER_INPUT', message: problem });
  }
  if (bad.length) throw itemsError('BAD_USER_INPUT', bad);
}

interface CounterRow {
  done: string;
  skipped: string;
  failed: string;
  cancelled: string;
  active: string;
  bytes: string;
}

/**
 * Recomputes a request's counters from its files (never incremented: a job may run twice, an
 * aggregate cannot double count). Returns the fresh request and how many files are still active.
 */
export async function recount(em: EntityManager, requestId: string): Promise<{ request: StagingRequest; active: number }> {
  const [c] = await em.getConnection().execute<CounterRow[]>(
    `select count(*) filter (where status = 'DONE') done,
            count(*) filter (where status = 'SKIPPED') skipped,
            count(*) filter (where status = 'FAILED') failed,
            count(*) filter (where status = 'CANCELLED') cancelled,
            count(*) filter (where status in ('PENDING', 'RUNNING')) active,
            coalesce(sum(case when status in ('DONE', 'SKIPPED') then coalesce(size_bytes, bytes_done) else bytes_done end), 0) bytes
       from staged_files where request_id = ?`,
    [requestId],
    'all',
    em.getTransactionContext(),
  );
  await em.nativeUpdate(
    StagingRequest,
    { id: requestId },
    { filesDone: Number(c!.done), filesSkipped: Number(c!.skipped), filesFailed: Number(c!.failed), filesCancelled: Number(c!.cancelled), bytesDone: Number(c!.bytes) },
  );
  const request = await em.findOneOrFail(StagingRequest, { id: requestId }, { refresh: true });
  return { request, active: Number(c!.active) };
}

export async function refreshCounters(em: EntityManager, requestId: string): Promise<StagingRequest> {
  // Under the request's row lock, like the worker's flushes: counted outside it, a flush that
  // closed the request between our count and our write had its counters overwritten with stale
  // ones (a retried request ended SUCCEEDED with filesDone 0 — seen in CI).
  return em.transactional(async (tx) => {
    await lockRequest(tx, requestId);
    return (await recount(tx, requestId)).request;
  });
}

export interface CloseOptions {
  now: Date;
  downloadLinkTtlMs: number;
}

/**
 * `recount` for the worker's flush transaction (`em` must be inside it). It first locks the
 * request's row, so the flushes of one request — from all its batch jobs — take turns: the
 * counters written never go backwards, and the flush that records the last active file sees
 * every other one. With `close`, that flush also closes the request (final status, finishedAt,
 * link expiry) and returns the closing log line for the caller to store in the same commit.
 * Before, a flush took two commits and closing three more; on a disk where PostgreSQL's commit
 * fsync costs ~1 ms or more, that was most of a single-file job's time (bench stage-50c).
 */
export async function recountLocked(
  em: EntityManager,
  requestId: string,
  row: LockedRequest | undefined,
  close?: CloseOptions,
): Promise<{ request: StagingRequest; active: number; closing: { status: RequestStatus; message: string } | null }> {
  const conn = em.getConnection();
  const tx = em.getTransactionContext();
  const [c] = await conn.execute<CounterRow[]>(
    `select count(*) filter (where status = 'DONE') done,
            count(*) filter (where status = 'SKIPPED') skipped,
            count(*) filter (where status = 'FAILED') failed,
            count(*) filter (where status = 'CANCELLED') cancelled,
            count(*) filter (where status in ('PENDING', 'RUNNING')) active,
            coalesce(sum(case when status in ('DONE', 'SKIPPED') then coalesce(size_bytes, bytes_done) else bytes_done end), 0) bytes
       from staged_files where request_id = ?`,
    [requestId],
    'all',
    tx,
  );
  const counters = { filesDone: Number(c!.done), filesSkipped: Number(c!.skipped), filesFailed: Number(c!.failed), filesCancelled: Number(c!.cancelled), bytesDone: Number(c!.bytes) };
  const active = Number(c!.active);
  let closing: { status: RequestStatus; message: string } | null = null;
  let closeFields = {};
  if (close && row && active === 0 && !row.finished_at) {
    const status = finalStatus(counters);
    const expiresAt = row.method === 'DIRECT_DOWNLOAD' ? new Date(close.now.getTime() + close.downloadLinkTtlMs) : null;
    closeFields = { status, finishedAt: close.now, expiresAt };
    const parts = [`${counters.filesDone} done`, `${counters.filesSkipped} skipped`, `${counters.filesFailed} failed`];
    if (counters.filesCancelled) parts.push(`${counters.filesCancelled} cancelled`);
    closing = { status, message: `request ${status.toLowerCase().replace('_', ' ')}: ${parts.join(', ')}` };
  }
  await em.nativeUpdate(StagingRequest, { id: requestId }, { ...counters, ...closeFields });
  // The owner is loaded with it when closing: the finished-request hooks need it (saves a query).
  const request = await em.findOneOrFail(StagingRequest, { id: requestId }, { refresh: true, populate: closing ? ['owner'] : [] });
  return { request, active, closing };
}

export interface LockedRequest {
  method: StagingMethod;
  finished_at: Date | null;
}

/** First statement of a flush transaction: locks the request's row (see recountLocked) and reads what closing needs. */
export async function lockRequest(em: EntityManager, requestId: string): Promise<LockedRequest | undefined> {
  const [row] = await em
    .getConnection()
    .execute<LockedRequest[]>(`select method, finished_at from staging_requests where id = ? for update`, [requestId], 'all', em.getTransactionContext());
  return row;
}

/** Status a finished request takes from its file counts. */
export function finalStatus(r: Pick<StagingRequest, 'filesDone' | 'filesSkipped' | 'filesFailed' | 'filesCancelled'>): RequestStatus {
  return deriveRequestStatus({ DONE: r.filesDone, SKIPPED: r.filesSkipped, FAILED: r.filesFailed, CANCELLED: r.filesCancelled });
}
