import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isTerminalRequestStatus, normalizeRelativePath, type FileStatus, type RequestStatus, type StagingMethod } from '@stagecoach/domain';
import { realRootOf, StorageError, walkFiles } from '@stagecoach/storage';
import type { Config } from '../../config/env';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import type { PubSub, RequestSnapshot } from '../../lib/pubsub';
import type { QuotaService } from '../quotas/quota.service';
import type { LogsService } from '../logs/logs.service';
import type { StagingMethodHandler } from '../methods/method';
import type { MethodRegistry } from '../methods/registry';
import { deliveryOwner, type RemoteDelivery } from '../methods/remote-target';
import type { DeliverySite, SiteRegistry } from '../sites/sites.service';
import type { User } from '../users/user.entity';
import { StagedFile } from './staged-file.entity';
import { enqueueStageJobs, type StageCommitter } from './stage-commits';
import { refreshCounters } from './staging.repository';
import { itemsError, type ItemProblem } from './staging.errors';
import { planUrlSources } from './url-plan';
import { StagingRequest } from './staging-request.entity';

/** Largest pages `stagingRequests(first:)` and `files(first:)` serve (the API refuses more). */
export const REQUESTS_PAGE_MAX = 200;
export const FILES_PAGE_MAX = 1000;

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

/** File ids per job: batches of BATCH_SIZE, or one job for all files of a URL-sourced method (one tape request / macaroon per site per request). */
function jobBatches(handler: StagingMethodHandler | undefined, ids: string[]): string[][] {
  const size = handler?.kind === 'url' ? Math.max(ids.length, 1) : BATCH_SIZE;
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += size) batches.push(ids.slice(i, i + size));
  return batches;
}

export interface StagingDeps {
  config: Config;
  clock: Clock;
  sites: SiteRegistry;
  methods: MethodRegistry;
  pubsub: PubSub;
  committer: StageCommitter;
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

/** The operator at the command line (`pnpm cli`): has shell access anyway, so sees and may cancel every request. */
export const OPERATOR = Symbol('operator');
/** Who acts on a request: a signed-in user (own requests; admins any) or the operator. */
export type Actor = User | typeof OPERATOR;
const describeActor = (a: Actor) => (a === OPERATOR ? 'an operator (pnpm cli)' : a.email);

/** Requests: validation, queuing, reading with ownership, cancel and retry. */
export class StagingService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: StagingDeps,
    private readonly collaborators: { logs: LogsService; quotas: QuotaService },
  ) {}

  private get logs(): LogsService {
    return this.collaborators.logs;
  }

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

    // Each kind of method takes its sources and targets from a different place (see methods/method.ts).
    const routed = handler.kind === 'url' ? planUrlSources(this.deps.sites.sites, handler.remote, input.items) : null;
    const sourceSite = routed ? null : this.deps.sites.source(input.sourceSiteId);
    const targetSite = handler.kind === 'file' && handler.target === 'user-area' ? this.deps.sites.userAreas(input.targetSiteId) : null;
    // Remote-target methods (JUPYTER_COPY, S3_COPY): the site of the method's kind, or the one the request names.
    const deliverySite = handler.kind === 'delivery' ? this.deps.sites.deliveryTarget(handler.delivery.siteKind, input.targetSiteId) : null;
    const planned = routed ? routed.planned : await this.plan(sourceSite!.root, input.items);
    if (planned.length > max) throw new AppError('BAD_USER_INPUT', `The folders expand to ${planned.length} files; at most ${max} per request.`);
    if (targetSite) await this.checkTargets(targetSite.root, owner.username, planned);
    if (handler.kind === 'delivery') checkDeliveryTargets(handler.delivery, deliverySite!, owner, planned);

    const bytesTotal = planned.reduce((s, f) => s + f.sizeBytes, 0);
    // Quotas are checked last, with the real size, and still before anything is queued.
    await this.collaborators.quotas.assertAllowed(owner, { targetSiteId: targetSite?.id ?? deliverySite?.id ?? null, method: input.method, bytes: bytesTotal });
    const ids = planned.map(() => randomUUID());
    const jobs = jobBatches(handler, ids);
    // Stored with concurrent calls in one transaction (see stage-commits.ts), still all or nothing.
    const written = await this.deps.committer.submit({
      request: {
        ownerId: owner.id,
        method: input.method,
        sourceSiteId: sourceSite?.id ?? null,
        urlSiteIds: routed?.siteIds ?? null,
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
  async getVisible(viewer: Actor, id: string): Promise<StagingRequest> {
    const r = isUuid(id) ? await this.em.findOne(StagingRequest, { id }) : null;
    if (!r || (viewer !== OPERATOR && r.owner.id !== viewer.id && viewer.role !== 'ADMIN')) throw new AppError('NOT_FOUND', 'No such staging request.');
    return r;
  }

  /** Everyone's requests for the operator, newest first, with their owners. */
  listForOperator(opts: { statuses?: RequestStatus[]; ownerId?: string; limit: number }): Promise<StagingRequest[]> {
    const where: Record<string, unknown> = {};
    if (opts.statuses?.length) where.status = { $in: opts.statuses };
    if (opts.ownerId) where.owner = opts.ownerId;
    return this.em.find(StagingRequest, where, { populate: ['owner'], orderBy: { createdAt: 'desc', id: 'desc' }, limit: opts.limit });
  }

  /** Newest first, cursor = base64(createdAt|id). `mine: false` lists everyone's (admins only). */
  async list(viewer: User, opts: { first: number; after?: string | null; status?: RequestStatus[] | null; mine: boolean }) {
    if (!opts.mine && viewer.role !== 'ADMIN') throw new AppError('FORBIDDEN', 'Only administrators may list other users’ requests.');
    const first = Math.min(Math.max(opts.first, 1), REQUESTS_PAGE_MAX);
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
    const first = Math.min(Math.max(opts.first, 1), FILES_PAGE_MAX);
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
  async cancel(viewer: Actor, id: string): Promise<StagingRequest> {
    const r = await this.getVisible(viewer, id);
    if (isTerminalRequestStatus(r.status)) throw new AppError('NOT_CANCELLABLE', `The request is already ${r.status.toLowerCase().replace('_', ' ')}.`);
    const now = this.deps.clock.now();
    const events = await this.em.transactional(async (em) => {
      // Conditional update: a request that finished meanwhile stays finished.
      const n = await em.nativeUpdate(StagingRequest, { id: r.id, status: { $in: ['QUEUED', 'RUNNING'] } }, { status: 'CANCELLED', cancelledAt: now, finishedAt: now, linkVersion: r.linkVersion + 1 });
      if (n === 0) throw new AppError('NOT_CANCELLABLE', 'The request finished before it could be cancelled.');
      await em.nativeUpdate(StagedFile, { request: r.id, status: 'PENDING' }, { status: 'CANCELLED', errorCode: 'CANCELLED', errorMessage: 'Cancelled by the user.', finishedAt: now });
      // URL-sourced methods: a job (with no files) cancels the remote work at the peers even if no worker follows the request any more.
      if (this.deps.methods.get(r.method)?.kind === 'url') await enqueueStageJobs(em, [{ requestId: r.id, fileIds: [] }]);
      return this.logs.insert([{ level: 'WARN', message: `request cancelled by ${describeActor(viewer)}`, requestId: r.id, userId: r.owner.id }], em);
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
    const failed = await this.em.find(StagedFile, { request: r.id, status: 'FAILED' }, { fields: ['id', 'sizeBytes'], orderBy: { seq: 'asc' } });
    if (failed.length === 0) throw new AppError('BAD_USER_INPUT', 'The request has no failed files to retry.');
    // Failed files hold no bytes: queuing them again takes quota like a new request would.
    const bytes = failed.reduce((sum, f) => sum + Number(f.sizeBytes ?? 0), 0);
    await this.collaborators.quotas.assertAllowed(r.owner, { targetSiteId: r.targetSiteId ?? null, method: r.method, bytes });
    const events = await this.em.transactional(async (em) => {
      await em.nativeUpdate(StagedFile, { request: r.id, status: 'FAILED' }, { status: 'PENDING', errorCode: null, errorMessage: null, errorStack: null, finishedAt: null, bytesDone: 0 });
      await em.nativeUpdate(StagingRequest, { id: r.id }, { status: 'QUEUED', finishedAt: null, cancelledAt: null });
      const ids = failed.map((f) => f.id);
      await enqueueStageJobs(em, jobBatches(this.deps.methods.get(r.method), ids).map((fileIds) => ({ requestId: r.id, fileIds })));
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
  const who = deliveryOwner(owner);
  const bad: ItemProblem[] = [];
  for (const f of planned) {
    const problem = delivery.checkTarget(site, who, f.target);
    if (problem) bad.push({ index: f.item, source: f.source, code: 'BAD_USER_INPUT', message: problem });
  }
  if (bad.length) throw itemsError('BAD_USER_INPUT', bad);
}
