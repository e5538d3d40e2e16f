/**
 * The SQL over `staging_requests` and `staged_files` that is not plain entity loading: counters,
 * row locks, bulk outcome writes, and the aggregate queries lifecycle, quotas, the space guard and
 * /metrics run. Every function takes the EntityManager to run on, so callers choose the
 * transaction (a worker flush, a `stage` commit, a sweep).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { deriveRequestStatus, isTerminalRequestStatus, REQUEST_STATUSES, type FileStatus, type RequestStatus, type StagingMethod } from '@stagecoach/domain';
import { StagingRequest } from './staging-request.entity';

export const TERMINAL_STATUSES: readonly RequestStatus[] = REQUEST_STATUSES.filter(isTerminalRequestStatus);
const pgArray = (values: Iterable<string>) => `{${[...values].join(',')}}`;

export interface FileCounters {
  filesDone: number;
  filesSkipped: number;
  filesFailed: number;
  filesCancelled: number;
  bytesDone: number;
}

/**
 * A request's counters computed from its files (never incremented: a job may run twice, an
 * aggregate cannot double count), plus how many files are still PENDING or RUNNING.
 */
async function countFiles(em: EntityManager, requestId: string): Promise<{ counters: FileCounters; active: number }> {
  const [c] = await em.getConnection().execute<{ done: string; skipped: string; failed: string; cancelled: string; active: string; bytes: string }[]>(
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
  return {
    counters: { filesDone: Number(c!.done), filesSkipped: Number(c!.skipped), filesFailed: Number(c!.failed), filesCancelled: Number(c!.cancelled), bytesDone: Number(c!.bytes) },
    active: Number(c!.active),
  };
}

export interface LockedRequest {
  method: StagingMethod;
  finished_at: Date | null;
}

/**
 * Locks a request's row for the rest of the transaction and reads what closing it needs. Every
 * writer of a request's counters takes this lock first (request row, then file rows), so the
 * flushes of one request — from all its batch jobs — take turns: counters never go backwards, and
 * the flush that records the last active file sees every other one.
 */
export async function lockRequest(em: EntityManager, requestId: string): Promise<LockedRequest | undefined> {
  const [row] = await em
    .getConnection()
    .execute<LockedRequest[]>(`select method, finished_at from staging_requests where id = ? for update`, [requestId], 'all', em.getTransactionContext());
  return row;
}

export interface CloseOptions {
  now: Date;
  downloadLinkTtlMs: number;
}

/** Status a finished request takes from its file counts. */
export function finalStatus(r: Pick<FileCounters, 'filesDone' | 'filesSkipped' | 'filesFailed' | 'filesCancelled'>): RequestStatus {
  return deriveRequestStatus({ DONE: r.filesDone, SKIPPED: r.filesSkipped, FAILED: r.filesFailed, CANCELLED: r.filesCancelled });
}

/**
 * Writes the counters of a request whose row `em`'s transaction has locked (see lockRequest).
 * With `close`, a request with no active file left is also closed (final status, finishedAt,
 * link expiry) and the closing log line is returned for the caller to store in the same commit:
 * one commit per flush, since PostgreSQL's commit fsync dominates a small request's cost.
 */
export async function recountLocked(
  em: EntityManager,
  requestId: string,
  row: LockedRequest | undefined,
  close?: CloseOptions,
): Promise<{ request: StagingRequest; active: number; closing: { status: RequestStatus; message: string } | null }> {
  const { counters, active } = await countFiles(em, requestId);
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

/** Recomputes a request's counters in a transaction of its own, under the request's row lock. */
export function refreshCounters(em: EntityManager, requestId: string): Promise<StagingRequest> {
  return em.transactional(async (tx) => (await recountLocked(tx, requestId, await lockRequest(tx, requestId))).request);
}

/** One file's outcome as the staging worker records it (snake_case: it is bound as JSON rows). */
export interface FileUpdate {
  id: string;
  status: FileStatus;
  started_at: string;
  worker_id: string | null;
  size_bytes: number | null;
  bytes_done: number;
  checksum: string | null;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  error_stack: string | null;
  access_url: string | null;
  finished_at: string | null;
  /** The target's identity once staged or skipped (user-area methods), see StagedFile.stagedIdentity. */
  staged_identity?: string | null;
}

/** Writes many files' outcomes in one statement; a finished file is never overwritten (a duplicate job run changes nothing). */
export async function recordFileOutcomes(em: EntityManager, updates: FileUpdate[]): Promise<void> {
  if (!updates.length) return;
  await em.getConnection().execute(
    `update staged_files f set status = t.status, size_bytes = coalesce(t.size_bytes, f.size_bytes), bytes_done = t.bytes_done,
            checksum = coalesce(t.checksum, f.checksum), attempts = t.attempts, error_code = t.error_code,
            error_message = t.error_message, error_stack = t.error_stack, access_url = coalesce(t.access_url, f.access_url),
            finished_at = t.finished_at, started_at = coalesce(f.started_at, t.started_at), worker_id = t.worker_id,
            staged_identity = coalesce(t.staged_identity, f.staged_identity)
       from json_to_recordset(?::json) as t(id uuid, status text, started_at timestamptz, worker_id text, size_bytes bigint, bytes_done bigint, checksum text, attempts int,
            error_code text, error_message text, error_stack text, access_url text, finished_at timestamptz, staged_identity text)
      where f.id = t.id and f.status in ('PENDING', 'RUNNING')`,
    [JSON.stringify(updates)],
    'run',
    em.getTransactionContext(),
  );
}

/** A queued request whose first job starts. */
export async function markRunning(em: EntityManager, requestId: string, now: Date): Promise<void> {
  await em.getConnection().execute(`update staging_requests set status = 'RUNNING', started_at = coalesce(started_at, ?) where id = ? and status = 'QUEUED'`, [now, requestId]);
}

/** Ends every file of a request that is still PENDING or RUNNING as CANCELLED. */
export async function cancelActiveFiles(em: EntityManager, requestId: string, now: Date): Promise<void> {
  await em.getConnection().execute(
    `update staged_files set status = 'CANCELLED', error_code = 'CANCELLED', error_message = 'Cancelled by the user.', finished_at = ? where request_id = ? and status in ('PENDING', 'RUNNING')`,
    [now, requestId],
    'run',
    em.getTransactionContext(),
  );
}

// ---- lifecycle ----

/** Gives the site's finished requests that hold results and have no expiry one (finish + retention). */
export async function assignMissingExpiries(em: EntityManager, siteId: string, retentionSeconds: number, methods: Iterable<StagingMethod>): Promise<number> {
  const res = await em.getConnection().execute<{ affectedRows: number }>(
    `update staging_requests set expires_at = finished_at + make_interval(secs => ?), last_accessed_at = coalesce(last_accessed_at, finished_at)
      where target_site_id = ? and expires_at is null and expired_at is null and finished_at is not null
        and method = any(?::text[]) and status = any(?::text[]) and files_done + files_skipped > 0`,
    [retentionSeconds, siteId, pgArray(methods), pgArray(TERMINAL_STATUSES)],
    'run',
  );
  return res.affectedRows;
}

/** Marks a request's results removed and revokes its links; false when another sweeper got there first. */
export async function markExpired(em: EntityManager, requestId: string, reason: string, now: Date): Promise<boolean> {
  const res = await em.getConnection().execute<{ affectedRows: number }>(
    `update staging_requests set expired_at = ?, expiry_reason = ?, link_version = link_version + 1,
            expires_at = least(coalesce(expires_at, ?), ?)
      where id = ? and expired_at is null`,
    [now, reason, now, now, requestId],
    'run',
  );
  return res.affectedRows > 0;
}

/** For each target: is it used by another unexpired request of the owner, and did one of the owner's requests create it. */
export async function targetUsage(
  em: EntityManager,
  r: { id: string; ownerId: string; targetSiteId: string | null; method: StagingMethod },
  targets: string[],
): Promise<Map<string, { inUse: boolean; stagedByUs: boolean; stagedIdentities: string[] }>> {
  const rows = await em.getConnection().execute<{ target: string; in_use: boolean; staged_by_us: boolean; staged_identities: string[] }[]>(
    `select t.target,
            exists (select 1 from staged_files f join staging_requests o on o.id = f.request_id
                     where o.owner_id = ? and o.target_site_id = ? and o.id <> ? and o.expired_at is null
                       and f.target = t.target and f.status in ('PENDING', 'RUNNING', 'DONE', 'SKIPPED')) as in_use,
            exists (select 1 from staged_files f join staging_requests o on o.id = f.request_id
                     where o.owner_id = ? and o.target_site_id = ? and o.method = ? and f.target = t.target and f.status = 'DONE') as staged_by_us,
            array(select f.staged_identity from staged_files f join staging_requests o on o.id = f.request_id
                   where o.owner_id = ? and o.target_site_id = ? and o.method = ? and f.target = t.target and f.status = 'DONE'
                     and f.staged_identity is not null) as staged_identities
       from json_array_elements_text(?::json) as t(target)`,
    [r.ownerId, r.targetSiteId, r.id, r.ownerId, r.targetSiteId, r.method, r.ownerId, r.targetSiteId, r.method, JSON.stringify(targets)],
  );
  return new Map(rows.map((row) => [row.target, { inUse: row.in_use, stagedByUs: row.staged_by_us, stagedIdentities: row.staged_identities }]));
}

// ---- quotas and space ----

/** Bytes a user holds on a site with the given methods: files of unexpired requests, staged or still to stage. */
export async function bytesHeldByUser(em: EntityManager, userId: string, siteId: string, methods: Iterable<StagingMethod>): Promise<number> {
  const [row] = await em.getConnection().execute<{ used: string }[]>(
    `select coalesce(sum(f.size_bytes), 0) used
       from staged_files f join staging_requests r on r.id = f.request_id
      where r.owner_id = ? and r.target_site_id = ? and r.expired_at is null and r.method = any(?::text[])
        and f.status in ('PENDING', 'RUNNING', 'DONE')`,
    [userId, siteId, pgArray(methods)],
  );
  return Number(row?.used ?? 0);
}

/** A user's requests that are queued or running. */
export async function activeRequestCount(em: EntityManager, userId: string): Promise<number> {
  const [row] = await em.getConnection().execute<{ n: string }[]>(`select count(*) n from staging_requests where owner_id = ? and status in ('QUEUED', 'RUNNING')`, [userId]);
  return Number(row?.n ?? 0);
}

/** Bytes of unexpired staged copies on a site (every user's). */
export async function bytesStagedOnSite(em: EntityManager, siteId: string, methods: Iterable<StagingMethod>): Promise<number> {
  const [row] = await em.getConnection().execute<{ used: string }[]>(
    `select coalesce(sum(f.size_bytes), 0) used
       from staged_files f join staging_requests r on r.id = f.request_id
      where r.target_site_id = ? and r.expired_at is null and r.method = any(?::text[]) and f.status = 'DONE'`,
    [siteId, pgArray(methods)],
  );
  return Number(row?.used ?? 0);
}

/**
 * Finished requests on a site whose results may be evicted, least recently accessed first: any
 * expired one, and idle ones (not accessed since `idleSince`) of `ownerId` — or of anyone when
 * `shared`. Never `excludeId` (the request that needs the room).
 */
export async function evictionCandidates(
  em: EntityManager,
  opts: { siteId: string; excludeId: string; ownerId: string; shared: boolean; now: Date; idleSince: Date; methods: Iterable<StagingMethod> },
): Promise<string[]> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `select r.id from staging_requests r
      where r.target_site_id = ? and r.expired_at is null and r.id <> ?
        and r.status = any(?::text[]) and r.method = any(?::text[]) and r.files_done > 0
        and (r.expires_at <= ?
             or ((r.owner_id = ? or ?::boolean) and coalesce(r.last_accessed_at, r.finished_at) <= ?))
      order by coalesce(r.last_accessed_at, r.finished_at) asc, r.id
      limit 200`,
    [opts.siteId, opts.excludeId, pgArray(TERMINAL_STATUSES), pgArray(opts.methods), opts.now, opts.ownerId, opts.shared, opts.idleSince],
  );
  return rows.map((r) => r.id);
}

// ---- metrics ----

export interface OpenRequestsRow {
  method: string;
  status: string;
  n: string;
}

/** Unfinished requests by method and status. */
export function openRequests(em: EntityManager): Promise<OpenRequestsRow[]> {
  return em.getConnection().execute<OpenRequestsRow[]>(`select method, status, count(*) as n from staging_requests where finished_at is null group by method, status`);
}
