import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { errnoCode, isAbortError, StorageError, syncDirectories } from '@stagecoach/storage';
import type { TaskList } from 'graphile-worker';
import type { Container } from '../../container';
import { jobTask } from '../jobs/queue';
import type { NewLogEntry } from '../logs/logs.service';
import type { DeliveryMethod, FileMethod, StagingMethodHandler } from '../methods/method';
import { addLogContext } from '../../lib/log-context';
import { deliveryOwner, type DeliverySession, type RemoteDelivery } from '../methods/remote-target';
import type { RemoteSourcing } from '../methods/remote-batch';
import type { PosixSiteConfig } from '../sites/sites.config';
import { StagedFile } from './staged-file.entity';
import { StagingRequest } from './staging-request.entity';
import { STAGE_BATCH } from './stage-commits';
import { cancelActiveFiles, lockRequest, markRunning, recordFileOutcomes, recountLocked, type FileUpdate } from './staging.repository';
import { toSnapshot } from './staging.service';

/** Progress is written and published at most this often per batch: the throttle for subscribers. */
const FLUSH_MS = 250;
const TRANSIENT_ERRNOS = new Set(['EIO', 'EAGAIN', 'EBUSY', 'ETIMEDOUT', 'ECONNRESET', 'ESTALE', 'EINTR', 'ENETUNREACH']);
const STACK_LIMIT = 2048;

export interface RequestFinishedHook {
  (request: StagingRequest, em: EntityManager): Promise<void>;
}

function isTransient(e: unknown): boolean {
  if (e instanceof StorageError) {
    // The adapter knows better when it says so (e.g. a remote site refusing our token is not worth retrying).
    if (e.retryable !== undefined) return e.retryable;
    if (e.code === 'SITE_UNAVAILABLE' || e.code === 'CHECKSUM_MISMATCH') return true;
    return TRANSIENT_ERRNOS.has(errnoCode(e.cause) ?? '');
  }
  return TRANSIENT_ERRNOS.has(errnoCode(e) ?? '');
}

/** Feeds the finished files of a flush to the Prometheus counters (deployment metrics). */
function reportFinished(c: Container, method: string, updates: FileUpdate[]): void {
  const finished = updates.filter((u) => u.finished_at !== null);
  if (!finished.length) return;
  c.metrics?.filesFinished(
    method,
    finished.map((u) => ({ status: u.status, bytes: Number(u.bytes_done), seconds: (Date.parse(u.finished_at!) - Date.parse(u.started_at)) / 1000 })),
  );
}

interface FlushResult {
  request: StagingRequest;
  /** True when this flush closed the request. */
  closed: boolean;
}

/** Collects file outcomes and log lines between flushes; one flush = one transaction. */
class BatchLedger {
  private updates = new Map<string, FileUpdate>();
  private logs: NewLogEntry[] = [];
  /** Folders that received new names since the last flush; fsynced before those files are recorded. */
  private dirs = new Set<string>();
  private running: Promise<FlushResult> | null = null;
  private lastPublished = '';

  constructor(
    private readonly em: EntityManager,
    private readonly c: Container,
    private readonly request: StagingRequest,
    private readonly controller: AbortController,
  ) {}

  set(u: FileUpdate): void {
    this.updates.set(u.id, u);
  }

  log(level: NewLogEntry['level'], message: string, fileId?: string, fields?: Record<string, unknown>): void {
    this.logs.push({ level, message, requestId: this.request.id, fileId: fileId ?? null, userId: this.request.owner.id, fields: fields ?? null });
  }

  /**
   * Given to the methods as `deferDirectorySync`: one folder fsync per folder and flush instead of
   * one per file. At about a millisecond per fsync, a file's and its folder's fsyncs dominated a
   * small file's copy; the folder's is now shared by every file of the flush (bench files-10k).
   * A file is recorded DONE only by a flush that fsynced its folder first (the folder is
   * registered before the method returns, i.e. before `set()` records the outcome, and flushes
   * never overlap), so DONE still means "survives power loss".
   */
  readonly deferDirectorySync = (dir: string): void => void this.dirs.add(dir);

  /** The timer's flush: skipped while one is running, so slow flushes do not pile up. */
  tick(onError: (err: unknown) => void): void {
    if (!this.running) void this.flush().catch(onError);
  }

  /**
   * Flushes after any running flush: never two at once (see deferDirectorySync). `close`: the
   * job's last flush, which also closes the request when no file of it is active any more.
   */
  flush(close = false, onClosed: RequestFinishedHook[] = []): Promise<FlushResult> {
    const next = (this.running ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.flushNow(close, onClosed))
      .finally(() => {
        if (this.running === next) this.running = null;
      });
    this.running = next;
    return next;
  }

  /**
   * Writes buffered outcomes + logs and the recomputed counters (closing the request when asked
   * and due) in one transaction, then publishes (when changed) and notices cancellation.
   */
  private async flushNow(close: boolean, onClosed: RequestFinishedHook[]): Promise<FlushResult> {
    const updates = [...this.updates.values()];
    const logs = this.logs;
    const dirs = this.dirs;
    this.updates = new Map();
    this.logs = [];
    this.dirs = new Set();
    const logService = this.c.services(this.em).logs;
    const closeAt = close ? { now: this.c.clock.now(), downloadLinkTtlMs: this.c.config.downloadLinkTtlMs } : undefined;
    const { events, request, closed } = await this.writeOrRestore(updates, logs, dirs, () => this.em.transactional(async (em) => {
      // Lock first (request row, then file rows: the order cancel() uses too); see recountLocked.
      const locked = await lockRequest(em, this.request.id);
      await recordFileOutcomes(em, updates);
      const counted = await recountLocked(em, this.request.id, locked, closeAt);
      if (counted.closing && onClosed.length) {
        // Inside the closing transaction: a failing hook (e.g. the notification outbox write)
        // rolls the close back, the job is retried, and the hook runs again — never lost.
        // recountLocked loaded it with its owner when closing.
        for (const hook of onClosed) await hook(counted.request, em);
      }
      const entries = counted.closing
        ? [...logs, { level: counted.closing.status === 'SUCCEEDED' ? 'INFO' : counted.closing.status === 'FAILED' ? 'ERROR' : 'WARN', message: counted.closing.message, requestId: this.request.id, userId: this.request.owner.id } satisfies NewLogEntry]
        : logs;
      return { events: await logService.insert(entries, em), request: counted.request, closed: counted.closing !== null };
    }));
    logService.publish(events);
    reportFinished(this.c, this.request.method, updates);
    if (request.status === 'CANCELLED' && !this.controller.signal.aborted) this.controller.abort();
    const snap = toSnapshot(request);
    const key = JSON.stringify(snap);
    // A finished request's state is always (re)published by the last flush: its subscribers must get the final state.
    if (key !== this.lastPublished || (close && request.finishedAt)) {
      this.lastPublished = key;
      this.c.pubsub.publish('request:updated', request.id, snap);
    }
    return { request, closed };
  }

  /**
   * fsyncs the folders, then writes; on failure puts everything back for the next flush (newer
   * outcomes win): a lost DONE would leave its file RUNNING and the request never finishing.
   */
  private async writeOrRestore<T>(updates: FileUpdate[], logs: NewLogEntry[], dirs: Set<string>, write: () => Promise<T>): Promise<T> {
    try {
      if (dirs.size) await syncDirectories(dirs);
      return await write();
    } catch (err) {
      for (const u of updates) if (!this.updates.has(u.id)) this.updates.set(u.id, u);
      this.logs = [...logs, ...this.logs];
      for (const d of dirs) this.dirs.add(d);
      throw err;
    }
  }
}

/**
 * The `stage_batch` job: transfers a batch of one request's files with bounded concurrency.
 * Idempotent: files already finished are left alone, files left RUNNING by a crashed worker are
 * redone (their leftovers swept), and counters are recomputed from the files, so running the job
 * twice changes nothing. `onFinished` runs inside the transaction that closes the request.
 */
export function createStageBatchTask(c: Container, onFinished: RequestFinishedHook[] = []): TaskList {
  return {
    [STAGE_BATCH.task]: jobTask(STAGE_BATCH, async (payload, helpers) => {
      addLogContext({ stagingRequestId: payload.requestId });
      const em = c.orm.em.fork();
      const request = await em.findOne(StagingRequest, { id: payload.requestId }, { populate: ['owner'] });
      if (!request) return;
      const handler = c.methods.get(request.method);
      const files = await em.find(StagedFile, { id: { $in: payload.fileIds }, status: { $in: ['PENDING', 'RUNNING'] } }, { orderBy: { seq: 'asc' } });
      const controller = new AbortController();
      const ledger = new BatchLedger(em, c, request, controller);
      const workerId = helpers.job.locked_by ?? null;

      if (files.length && request.status !== 'CANCELLED') {
        await markRunning(em, request.id, c.clock.now());
        const resumed = files.filter((f) => f.status === 'RUNNING').length;
        if (resumed) ledger.log('WARN', `resuming ${resumed} file(s) interrupted by a restart`);

        const timer = setInterval(() => ledger.tick((err: unknown) => helpers.logger.error(`progress flush failed: ${String(err)}`)), FLUSH_MS);
        try {
          if (handler?.kind === 'url') {
            // One run per request, reporting per file.
            await runRemote(em, c, request, handler.remote, files, ledger, controller.signal, workerId);
          } else {
            const context = await prepare(c, request, handler, ledger, controller.signal);
            try {
              const queue = [...files];
              const workers = Array.from({ length: Math.min(c.config.workerConcurrency, queue.length) }, async () => {
                for (let f = queue.shift(); f; f = queue.shift()) await transferOne(c, context, f, ledger, controller.signal, workerId);
              });
              await Promise.all(workers);
            } finally {
              await context.session?.close().catch(() => undefined);
            }
          }
        } finally {
          clearInterval(timer);
        }
      }
      // A cancelled URL-sourced request: cancel at the peers what is still active there (the job
      // that followed it may have died); its remaining files end CANCELLED.
      if (request.status === 'CANCELLED' && handler?.kind === 'url') await cancelRemote(em, c, request, handler.remote);
      // Otherwise this job runs again after its worker died and the request was cancelled
      // meanwhile: nobody else will end the files the dead worker had RUNNING.
      else if (request.status === 'CANCELLED' && files.length) await abandonFiles(c, request, handler, files, ledger, workerId);
      // The last flush also closes the request when no file of it is active (one commit; see recountLocked).
      await ledger.flush(true, onFinished);
    }),
  };
}

interface BatchContext {
  /** Per-file and delivery methods; undefined when the request's method is no longer offered. */
  handler: FileMethod | DeliveryMethod | undefined;
  sourceSite: PosixSiteConfig | undefined;
  areaRoot: string | null;
  /** Remote-target methods: the batch's session with the site (one hub server start, one S3 client). */
  session?: DeliverySession | null;
  /** Remote-target methods: why the session could not be opened; every file of the batch fails with it. */
  openError?: unknown;
}

async function prepare(c: Container, request: StagingRequest, handler: FileMethod | DeliveryMethod | undefined, ledger: BatchLedger, signal: AbortSignal): Promise<BatchContext> {
  if (!handler) return { handler, sourceSite: undefined, areaRoot: null };
  const sourceSite = c.sites.source(request.sourceSiteId);
  if (handler.kind === 'delivery') return { handler, sourceSite, areaRoot: null, ...(await openDelivery(c, request, handler.delivery, ledger, signal)) };
  const areaRoot = handler.target === 'user-area' ? await c.sites.userAreaRoot(c.sites.userAreas(request.targetSiteId), request.owner.username) : null;
  return { handler, sourceSite, areaRoot };
}

/** Opens a remote-target session once per batch, retrying transient failures like a file would. */
async function openDelivery(c: Container, request: StagingRequest, delivery: RemoteDelivery, ledger: BatchLedger, signal: AbortSignal): Promise<Pick<BatchContext, 'session' | 'openError'>> {
  let site;
  try {
    site = c.sites.deliveryTarget(delivery.siteKind, request.targetSiteId);
  } catch {
    return { session: null, openError: new StorageError('SITE_UNAVAILABLE', 'The target site of this request is no longer configured.', { retryable: false }) };
  }
  const { owner } = request;
  for (let attempt = 1; ; attempt++) {
    try {
      const session = await delivery.open({
        requestId: request.id,
        owner: deliveryOwner(owner),
        site,
        config: c.config,
        signal,
        log: (level, message, fileId) => ledger.log(level, message, fileId),
      });
      return { session, openError: null };
    } catch (e) {
      if (!signal.aborted && isTransient(e) && attempt < c.config.stagingMaxAttempts) {
        const delay = 500 * 2 ** (attempt - 1);
        ledger.log('WARN', `${(e as Error).message} — retrying in ${delay} ms (attempt ${attempt} of ${c.config.stagingMaxAttempts})`);
        await sleep(delay, undefined, { signal }).catch(() => undefined);
        continue;
      }
      return { session: null, openError: e };
    }
  }
}

async function transferOne(c: Container, ctx: BatchContext, file: StagedFile, ledger: BatchLedger, signal: AbortSignal, workerId: string | null): Promise<void> {
  const base: FileUpdate = {
    id: file.id,
    status: 'RUNNING',
    started_at: c.clock.now().toISOString(),
    worker_id: workerId,
    size_bytes: file.sizeBytes ?? null,
    bytes_done: 0,
    checksum: null,
    attempts: file.attempts,
    error_code: null,
    error_message: null,
    error_stack: null,
    access_url: null,
    finished_at: null,
  };
  const fail = (code: string, message: string, err?: unknown) => {
    ledger.set({ ...base, status: code === 'CANCELLED' ? 'CANCELLED' : 'FAILED', error_code: code, error_message: message, error_stack: err instanceof Error ? (err.stack ?? '').slice(0, STACK_LIMIT) : null, finished_at: c.clock.now().toISOString() });
    ledger.log(code === 'CANCELLED' ? 'WARN' : 'ERROR', `${file.source}: ${message}`, file.id, { code });
  };
  if (!ctx.handler || !ctx.sourceSite) return fail('METHOD_NOT_ALLOWED', 'This staging method is no longer offered here.');
  if (ctx.openError) {
    const e = ctx.openError;
    if (signal.aborted || (e instanceof StorageError && e.code === 'CANCELLED')) return fail('CANCELLED', 'Cancelled before it finished.');
    return e instanceof StorageError ? fail(e.code, e.message, e) : fail('TRANSFER_FAILED', 'The target site could not be prepared; an administrator can see the details.', e);
  }
  const runner = ctx.handler.kind === 'delivery' ? ctx.session : ctx.handler;
  if (!runner) return fail('TRANSFER_FAILED', 'The target site could not be prepared; an administrator can see the details.');
  if (!signal.aborted) ledger.set(base);

  for (;;) {
    if (signal.aborted) return fail('CANCELLED', 'Cancelled before it finished.');
    base.attempts += 1;
    try {
      const sourcePath = await c.sites.resolveSource(ctx.sourceSite, file.source);
      const targetPath = ctx.areaRoot ? await c.sites.resolveTarget(ctx.areaRoot, file.target) : null;
      // Space-aware staging (modules/space): room is made, or the file fails QUOTA_EXCEEDED.
      if (targetPath) await c.space.ensureFor(file.request.id, Number(file.sizeBytes ?? 0), targetPath);
      const outcome = await runner.transfer({
        fileId: file.id,
        requestId: file.request.id,
        source: file.source,
        target: file.target,
        sourcePath,
        targetPath,
        sourceSite: ctx.sourceSite,
        sizeBytes: Number(file.sizeBytes ?? 0),
        resumed: file.status === 'RUNNING' || base.attempts > 1,
        signal,
        onProgress: (bytes) => ledger.set({ ...base, bytes_done: bytes }),
        deferDirectorySync: ledger.deferDirectorySync,
      });
      ledger.set({ ...base, status: outcome.status, size_bytes: outcome.sizeBytes, bytes_done: outcome.sizeBytes, checksum: outcome.checksum, access_url: outcome.accessUrl ?? null, finished_at: c.clock.now().toISOString() });
      ledger.log(outcome.status === 'SKIPPED' ? 'INFO' : 'INFO', outcome.message, file.id, outcome.checksum ? { sha256: outcome.checksum, bytes: outcome.sizeBytes } : { bytes: outcome.sizeBytes });
      return;
    } catch (e) {
      if (signal.aborted || isAbortError(e) || (e instanceof StorageError && e.code === 'CANCELLED')) return fail('CANCELLED', 'Cancelled; the partial copy was removed.');
      if (isTransient(e) && base.attempts < c.config.stagingMaxAttempts) {
        const delay = 500 * 2 ** (base.attempts - 1);
        ledger.log('WARN', `${file.source}: ${(e as Error).message} — retrying in ${delay} ms (attempt ${base.attempts} of ${c.config.stagingMaxAttempts})`, file.id);
        await sleep(delay, undefined, { signal }).catch(() => undefined);
        continue;
      }
      if (e instanceof StorageError) return fail(e.code, e.message, e);
      return fail('TRANSFER_FAILED', 'The transfer failed unexpectedly; an administrator can see the details.', e);
    }
  }
}

/**
 * Ends the files of a cancelled request that no live worker follows as CANCELLED (left RUNNING
 * they would stay so for good, their bytes counted in the owner's quota) and removes what their
 * interrupted transfers left in the owner's area. Remote-target methods (S3 multipart uploads,
 * Jupyter part files) have no `discard`: their leftovers stay until the next attempt or expiry.
 */
async function abandonFiles(c: Container, request: StagingRequest, handler: StagingMethodHandler | undefined, files: StagedFile[], ledger: BatchLedger, workerId: string | null): Promise<void> {
  const discard = handler?.kind === 'file' && handler.target === 'user-area' && handler.discard ? handler.discard.bind(handler) : undefined;
  let areaRoot: string | null = null;
  if (discard) {
    try {
      areaRoot = await c.sites.userAreaRoot(c.sites.userAreas(request.targetSiteId), request.owner.username);
    } catch (e) {
      ledger.log('WARN', `partial copies of the cancelled files could not be removed: ${(e as Error).message}`);
    }
  }
  const now = c.clock.now().toISOString();
  for (const file of files) {
    if (discard && areaRoot !== null) {
      try {
        await discard({ fileId: file.id, targetPath: await c.sites.resolveTarget(areaRoot, file.target) });
      } catch (e) {
        // The file still ends CANCELLED: a leftover temp name is better than a file RUNNING for good.
        ledger.log('WARN', `${file.source}: its partial copy could not be removed: ${(e as Error).message}`, file.id);
      }
    }
    ledger.set({
      id: file.id,
      status: 'CANCELLED',
      started_at: (file.startedAt ?? c.clock.now()).toISOString(),
      worker_id: workerId,
      size_bytes: file.sizeBytes ?? null,
      bytes_done: Number(file.bytesDone ?? 0),
      checksum: null,
      attempts: file.attempts,
      error_code: 'CANCELLED',
      error_message: 'Cancelled by the user.',
      error_stack: null,
      access_url: null,
      finished_at: now,
    });
  }
  ledger.log('WARN', `${files.length} file(s) interrupted by a restart ended cancelled`);
}

/** Runs a URL-sourced method over the job's files, turning its per-file reports into ledger updates. */
async function runRemote(em: EntityManager, c: Container, request: StagingRequest, remote: RemoteSourcing, files: StagedFile[], ledger: BatchLedger, signal: AbortSignal, workerId: string | null): Promise<void> {
  const byId = new Map(files.map((f) => [f.id, f]));
  const startedAt = c.clock.now().toISOString();
  await remote.runBatch({
    request: { id: request.id, ownerId: request.owner.id, ownerUsername: request.owner.username },
    files: files.map((f) => ({ id: f.id, source: f.source, target: f.target, status: f.status, sizeBytes: f.sizeBytes === null || f.sizeBytes === undefined ? null : Number(f.sizeBytes), attempts: f.attempts })),
    em,
    config: c.config,
    clock: c.clock,
    sites: c.sites.sites,
    fetch: globalThis.fetch,
    logger: c.logger,
    macaroons: c.services(em).macaroons,
    signal,
    report(fileId, u) {
      const f = byId.get(fileId);
      if (!f) return;
      const finished = u.status === 'DONE' || u.status === 'FAILED' || u.status === 'CANCELLED';
      ledger.set({
        id: fileId,
        status: u.status,
        started_at: startedAt,
        worker_id: workerId,
        size_bytes: u.sizeBytes ?? (f.sizeBytes === null || f.sizeBytes === undefined ? null : Number(f.sizeBytes)),
        bytes_done: u.bytesDone ?? 0,
        checksum: null,
        attempts: f.attempts + 1,
        error_code: u.error?.code ?? null,
        error_message: u.error?.message ?? null,
        error_stack: u.error?.cause instanceof Error ? (u.error.cause.stack ?? '').slice(0, STACK_LIMIT) : null,
        access_url: u.accessUrl ?? null,
        finished_at: finished ? c.clock.now().toISOString() : null,
      });
      if (u.error) ledger.log(u.status === 'CANCELLED' ? 'WARN' : 'ERROR', `${f.source}: ${u.error.message}`, fileId, { code: u.error.code });
      else if (u.status === 'DONE') ledger.log('INFO', `${f.source} is available${u.accessUrl ? ` at ${u.accessUrl}` : ''}`, fileId);
    },
    log: (level, message, fileId) => ledger.log(level, message, fileId),
  });
}

/** Runs a URL-sourced method's cancelRequest for a cancelled request, then ends its remaining files. */
async function cancelRemote(em: EntityManager, c: Container, request: StagingRequest, remote: RemoteSourcing): Promise<void> {
  const logs: NewLogEntry[] = [];
  await remote.cancelRequest({
    requestId: request.id,
    em,
    config: c.config,
    clock: c.clock,
    sites: c.sites.sites,
    fetch: globalThis.fetch,
    logger: c.logger,
    log: (level, message) => logs.push({ level, message, requestId: request.id, userId: request.owner.id }),
  });
  await cancelActiveFiles(em, request.id, c.clock.now());
  if (logs.length) await c.services(em).logs.append(logs);
}
