import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { StorageError } from '@stagecoach/storage';
import type { Clock } from '../../lib/clock';
import { requestMacaroon } from '../dcache/macaroon.client';
import { parseDuration } from '../../lib/duration';
import { readCredentials } from '../../lib/peer-http';
import { TapeRestClient, type TapeFileStatus } from '../dcache/tape-rest.client';
import type { WebdavSiteConfig } from '../sites/sites.config';
import { routeSource } from '../sites/url-routing';
import type { UrlMethod } from './method';
import { StagedFile } from '../staging/staged-file.entity';
import { claimForCancel, RemoteOperation } from './remote-operation.entity';
import { isRetryable, type RemoteBatch, type RemoteCancel, type RemoteFile, type RemoteFileUpdate } from './remote-batch';

/** Consecutive failed polls (peer unreachable) before a site's files are given up. */
const MAX_POLL_FAILURES = 8;
const MAX_SUBMIT_ATTEMPTS = 4;

interface Item {
  file: RemoteFile;
  path: string;
  status: RemoteFileUpdate['status'] | RemoteFile['status'];
}

const TERMINAL = new Set(['DONE', 'FAILED', 'CANCELLED', 'SKIPPED']);

/**
 * The folder a request's macaroon is rooted at for a namespace path, as StageIT derived it per
 * SURL: the site's root caveat path followed by the project folder (the first folder below it).
 * A file directly in the site's root has the site's root.
 */
export function projectRootOf(site: WebdavSiteConfig, nsPath: string): string {
  const root = site.rootCaveatPath.replace(/\/+$/, '');
  const rest = nsPath.slice(root.length + 1).split('/');
  return rest.length > 1 && rest[0] ? `${root}/${rest[0]}` : root;
}

/**
 * The `path:` caveat (relative to `root`) for files below it: their deepest common folder, or null
 * when that is the root itself.
 */
export function commonFolderCaveat(root: string, nsPaths: readonly string[]): string | null {
  let common: string[] | null = null;
  for (const p of nsPaths) {
    const dirs = p.slice(root.length).split('/').filter(Boolean).slice(0, -1);
    if (!common) common = dirs;
    else {
      let i = 0;
      while (i < common.length && i < dirs.length && common[i] === dirs[i]) i++;
      common = common.slice(0, i);
    }
  }
  return common?.length ? `/${common.join('/')}` : null;
}

/** The WebDAV URL of a namespace path: relative to its project root when read with the request's macaroon (dCache `root:` re-roots the namespace). */
export function webdavUrlOf(site: WebdavSiteConfig, nsPath: string, withMacaroon: boolean): string {
  const rel = withMacaroon ? nsPath.slice(projectRootOf(site, nsPath).length) : nsPath;
  return `${site.webdavUrl.replace(/\/+$/, '')}${rel.split('/').map(encodeURIComponent).join('/')}`;
}

/** Retries transient peer failures (unreachable, 5xx) with backoff; `label` (the site) prefixes the log line. */
async function withRetries<T>(b: RemoteBatch, label: string, fn: () => Promise<T>, minMs: number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (b.signal.aborted || !isRetryable(e) || attempt >= MAX_SUBMIT_ATTEMPTS) throw e;
      b.log('WARN', `${label}: ${(e as Error).message} — retrying (attempt ${attempt} of ${MAX_SUBMIT_ATTEMPTS})`);
      await sleep(minMs * 2 ** attempt, undefined, { signal: b.signal });
    }
  }
}

function mapTapeState(site: WebdavSiteConfig, item: Item, f: TapeFileStatus, withMacaroon: boolean): RemoteFileUpdate {
  switch (f.state) {
    case 'SUBMITTED':
      return { status: 'PENDING' };
    case 'STARTED':
      return { status: 'RUNNING' };
    case 'COMPLETED':
      return { status: 'DONE', accessUrl: webdavUrlOf(site, item.path, withMacaroon) };
    case 'CANCELLED':
      return { status: 'CANCELLED', error: { code: 'CANCELLED', message: 'The tape system cancelled the bring-online.' } };
    default:
      return { status: 'FAILED', error: { code: 'TRANSFER_FAILED', message: `The tape system could not bring the file online${f.error ? `: ${f.error.slice(0, 300)}` : '.'}` } };
  }
}

/**
 * One site of a DCACHE_STAGE request: one WLCG tape stage request for all its files (stored as
 * a RemoteOperation and followed again if the job runs twice), polled with backoff, per-file
 * states reported as the tape system moves them; then one macaroon for the site.
 */
async function runSite(b: RemoteBatch, site: WebdavSiteConfig, items: Item[]): Promise<void> {
  const creds = await readCredentials(site.credentialsFile);
  const tape = new TapeRestClient(site.tapeRestUrl, creds.header, b.fetch);
  const em = b.em.fork();
  const withMacaroon = !site.skipMacaroonForUsers.includes(b.request.ownerUsername);
  const byId = new Map(items.map((i) => [i.file.id, i]));
  const report = (item: Item, u: RemoteFileUpdate) => {
    if (item.status === u.status) return false;
    item.status = u.status;
    b.report(item.file.id, u);
    return true;
  };

  const ops = await em.find(RemoteOperation, { request: b.request.id, siteId: site.id, kind: 'TAPE_STAGE', state: 'ACTIVE' }, { orderBy: { createdAt: 'asc' } });
  const covered = new Set(ops.flatMap((o) => o.fileIds));
  const fresh = items.filter((i) => !covered.has(i.file.id));
  if (fresh.length) {
    const remoteId = await withRetries(b, site.name ?? site.id, () => tape.stage(fresh.map((i) => ({ path: i.path, diskLifetime: site.pinLifetime })), b.signal), site.pollMinMs);
    // Stored before waiting on it: a job that runs again follows this request instead of submitting another.
    ops.push(em.create(RemoteOperation, { request: b.request.id, siteId: site.id, kind: 'TAPE_STAGE', remoteId, fileIds: fresh.map((i) => i.file.id), createdAt: b.clock.now() }));
    await em.flush();
    b.log('INFO', `${site.name ?? site.id}: tape request ${remoteId} submitted for ${fresh.length} file(s) (pin lifetime ${site.pinLifetime})`);
  } else if (ops.length) {
    b.log('INFO', `${site.name ?? site.id}: following tape request ${ops.map((o) => o.remoteId).join(', ')} again`);
  }

  // One macaroon per project root of the request's files at this site, limited to their deepest
  // common folder; each is issued as soon as a file below it is online.
  const scopes = withMacaroon ? await macaroonScopes(em, b, site) : [];
  const minted = new Set<string>();
  const mintReady = async () => {
    for (const scope of scopes) {
      if (minted.has(scope.root) || !items.some((i) => i.status === 'DONE' && projectRootOf(site, i.path) === scope.root)) continue;
      try {
        await mintScope(b, em, site, creds.header, scope);
        minted.add(scope.root);
      } catch (e) {
        if (b.signal.aborted) throw e;
        // Files stay online without it; a later round (or a retry of the request) asks again.
        b.log('ERROR', `${site.name ?? site.id}: no macaroon for ${scope.root}: ${(e as Error).message}`);
        if (!isRetryable(e)) minted.add(scope.root);
      }
    }
  };

  try {
    let delay = site.pollMinMs;
    let failures = 0;
    for (;;) {
      let changed = false;
      for (const op of ops.filter((o) => o.state === 'ACTIVE')) {
        let status;
        try {
          status = await tape.status(op.remoteId, b.signal);
          failures = 0;
        } catch (e) {
          if (b.signal.aborted || !isRetryable(e) || ++failures >= MAX_POLL_FAILURES) throw e;
          b.log('WARN', `${site.name ?? site.id}: ${(e as Error).message} — will ask again`);
          continue;
        }
        const mine = op.fileIds.map((id) => byId.get(id)).filter((i): i is Item => Boolean(i));
        if (!status) {
          for (const i of mine) if (!TERMINAL.has(i.status)) changed = report(i, { status: 'FAILED', error: { code: 'TRANSFER_FAILED', message: 'The tape system no longer knows the stage request; retry the request.' } }) || changed;
        } else {
          const byPath = new Map(status.files.map((f) => [f.path, f]));
          for (const i of mine) {
            const f = byPath.get(i.path);
            if (f) changed = report(i, mapTapeState(site, i, f, withMacaroon)) || changed;
          }
        }
        if (mine.every((i) => TERMINAL.has(i.status))) {
          op.state = 'FINISHED';
          op.finishedAt = b.clock.now();
        }
      }
      await em.flush();
      await mintReady();
      if (ops.every((o) => o.state !== 'ACTIVE')) break;
      delay = changed ? site.pollMinMs : Math.min(site.pollMaxMs, Math.ceil(delay * 1.5));
      await sleep(delay, undefined, { signal: b.signal });
    }
  } catch (e) {
    if (!b.signal.aborted) throw e;
    await cancelTapeOps({ em, clock: b.clock, log: (level, message) => b.log(level, message) }, site, tape, ops, new Map(items.map((i) => [i.file.id, i.path])));
    for (const i of items) if (!TERMINAL.has(i.status)) report(i, { status: 'CANCELLED', error: { code: 'CANCELLED', message: 'Cancelled; the tape request was cancelled at the site.' } });
    await em.flush();
    return;
  }

  await mintReady();
}
interface MacaroonScope {
  root: string;
  pathCaveat: string | null;
}

/** The (project root, common folder) of every file of the request at this site, not only this job's. */
async function macaroonScopes(em: EntityManager, b: RemoteBatch, site: WebdavSiteConfig): Promise<MacaroonScope[]> {
  const files = await em.find(StagedFile, { request: b.request.id }, { fields: ['id', 'source'] });
  const byRoot = new Map<string, string[]>();
  for (const f of files) {
    const routed = routeSource(b.sites, 'WEBDAV', f.source);
    if (!routed || routed.site.id !== site.id) continue;
    const root = projectRootOf(site, routed.path);
    byRoot.set(root, [...(byRoot.get(root) ?? []), routed.path]);
  }
  return [...byRoot].map(([root, paths]) => ({ root, pathCaveat: commonFolderCaveat(root, paths) }));
}

async function mintScope(b: RemoteBatch, em: EntityManager, site: WebdavSiteConfig, authorization: string | null, scope: MacaroonScope): Promise<void> {
  await em.transactional(async (tx) => {
    // Two runs of the same job (a retry after a crash, a duplicate) must not both ask the door: the
    // unique key would keep one row, but the site would have issued two macaroons. The advisory
    // lock serialises check → request → store per (request, site, root) across processes.
    await tx.getConnection().execute('select pg_advisory_xact_lock(hashtext(?))', [`macaroon:${b.request.id}/${site.id}/${scope.root}`], 'run', tx.getTransactionContext());
    if (await b.macaroons.valid(b.request.id, site.id, scope.root, b.clock.now())) return;
    const fallback = new Date(b.clock.now().getTime() + parseDuration(site.macaroonValidity)!);
    const issued = await withRetries(
      b,
      site.name ?? site.id,
      () => requestMacaroon(b.fetch, site.webdavUrl, authorization, { rootCaveatPath: scope.root, pathCaveat: scope.pathCaveat, activities: site.macaroonActivities, validity: site.macaroonValidity }, fallback),
      site.pollMinMs,
    );
    await b.macaroons.store(b.request.id, site.id, issued.token, scope.root, issued.validUntil);
    b.log('INFO', `${site.name ?? site.id}: macaroon issued for ${scope.root}${scope.pathCaveat ? ` (limited to ${scope.pathCaveat})` : ''}, valid until ${issued.validUntil.toISOString()}`);
  });
}

/**
 * Cancel = cancel the files of each still-active tape request, then release its pins and delete it
 * at the peer (the peer ignores files already finished). Each operation is claimed first, so the
 * running job and the cancel job never both call the peer.
 */
async function cancelTapeOps(ctx: { em: EntityManager; clock: Clock; log(level: 'INFO' | 'WARN' | 'ERROR', message: string): void }, site: WebdavSiteConfig, tape: TapeRestClient, ops: RemoteOperation[], pathOf: Map<string, string>): Promise<void> {
  for (const op of ops.filter((o) => o.state === 'ACTIVE')) {
    if (!(await claimForCancel(ctx.em, op, ctx.clock.now()))) continue;
    const paths = op.fileIds.map((id) => pathOf.get(id)).filter((p): p is string => Boolean(p));
    try {
      await tape.cancel(op.remoteId, paths);
      ctx.log('WARN', `${site.name ?? site.id}: tape request ${op.remoteId} cancelled`);
    } catch (e) {
      ctx.log('ERROR', `${site.name ?? site.id}: cancelling tape request ${op.remoteId} failed: ${(e as Error).message}`);
    }
  }
  await releaseTapeOps(ctx, site, tape, ops, pathOf);
}

/**
 * Releases the pins of each tape request not released yet and deletes it at the peer (`DELETE
 * /stage/{id}`), so the disk copies may be evicted. Claimed by a conditional update: once per
 * operation, whoever gets there first (the cancel, the expiry sweep or a deletion).
 */
async function releaseTapeOps(ctx: { em: EntityManager; clock: Clock; log(level: 'INFO' | 'WARN' | 'ERROR', message: string): void }, site: WebdavSiteConfig, tape: TapeRestClient, ops: RemoteOperation[], pathOf: Map<string, string>): Promise<void> {
  for (const op of ops) {
    if (op.state === 'ACTIVE' || op.releasedAt) continue;
    const now = ctx.clock.now();
    if ((await ctx.em.nativeUpdate(RemoteOperation, { id: op.id, releasedAt: null }, { releasedAt: now })) !== 1) continue;
    op.releasedAt = now;
    const paths = op.fileIds.map((id) => pathOf.get(id)).filter((p): p is string => Boolean(p));
    try {
      await tape.release(op.remoteId, paths);
      await tape.delete(op.remoteId);
      ctx.log('INFO', `${site.name ?? site.id}: pins of tape request ${op.remoteId} released and the request deleted at the site`);
    } catch (e) {
      ctx.log('ERROR', `${site.name ?? site.id}: releasing tape request ${op.remoteId} failed: ${(e as Error).message}`);
    }
  }
}

/** The tape requests of a request per site, with the namespace path of every file they cover. */
async function tapeOpsBySite(ctx: RemoteCancel, em: EntityManager, where: Record<string, unknown>) {
  const ops = await em.find(RemoteOperation, { request: ctx.requestId, kind: 'TAPE_STAGE', ...where });
  const files = ops.length ? await em.find(StagedFile, { id: { $in: ops.flatMap((o) => o.fileIds) } }, { fields: ['id', 'source'] }) : [];
  const pathOf = new Map(files.flatMap((f) => { const r = routeSource(ctx.sites, 'WEBDAV', f.source); return r ? [[f.id, r.path] as const] : []; }));
  const out: { site: WebdavSiteConfig; tape: TapeRestClient; ops: RemoteOperation[]; pathOf: Map<string, string> }[] = [];
  for (const siteId of new Set(ops.map((o) => o.siteId))) {
    const site = ctx.sites.find((s): s is WebdavSiteConfig => s.id === siteId && s.kind === 'WEBDAV');
    if (!site) {
      ctx.log('ERROR', `site ${siteId} is no longer configured; its tape request cannot be cancelled or released`);
      continue;
    }
    const tape = new TapeRestClient(site.tapeRestUrl, (await readCredentials(site.credentialsFile)).header, ctx.fetch);
    out.push({ site, tape, ops: ops.filter((o) => o.siteId === siteId), pathOf });
  }
  return out;
}

/** Cancels what is still active and releases (and deletes at the peer) every tape request of the request not released yet. */
async function cancelRequest(ctx: RemoteCancel): Promise<void> {
  const em = ctx.em.fork();
  for (const { site, tape, ops, pathOf } of await tapeOpsBySite(ctx, em, { releasedAt: null })) await cancelTapeOps({ em, clock: ctx.clock, log: ctx.log }, site, tape, ops, pathOf);
}

function failItems(b: RemoteBatch, items: Item[], e: unknown): void {
  const code = e instanceof StorageError ? e.code : 'TRANSFER_FAILED';
  const message = e instanceof StorageError ? e.message : 'Bringing the files online failed unexpectedly; an administrator can see the details.';
  for (const i of items) if (!TERMINAL.has(i.status)) b.report(i.file.id, { status: 'FAILED', error: { code, message, cause: e } });
}

async function runBatch(b: RemoteBatch): Promise<void> {
  const bySite = new Map<string, { site: WebdavSiteConfig; items: Item[] }>();
  for (const file of b.files) {
    const routed = routeSource(b.sites, 'WEBDAV', file.source);
    if (!routed) {
      b.report(file.id, { status: 'FAILED', error: { code: 'SOURCE_NOT_FOUND', message: 'No configured dCache site matches this URL any more.' } });
      continue;
    }
    const group = bySite.get(routed.site.id) ?? { site: routed.site, items: [] };
    group.items.push({ file, path: routed.path, status: file.status });
    bySite.set(routed.site.id, group);
  }
  await Promise.all(
    [...bySite.values()].map(({ site, items }) =>
      runSite(b, site, items).catch((e: unknown) => {
        if (b.signal.aborted) return;
        b.log('ERROR', `${site.name ?? site.id}: ${(e as Error).message}`);
        failItems(b, items, e);
      }),
    ),
  );
}

/**
 * DCACHE_STAGE: brings archive files online from tape with the WLCG Tape
 * REST API, one tape request per site per request, then hands out WebDAV URLs and one macaroon
 * per site per request (root caveat + validity from the site).
 */
export const dcacheStage: UrlMethod = {
  method: 'DCACHE_STAGE',
  kind: 'url',
  remote: { siteKind: 'WEBDAV', targetOf: (_site, nsPath) => nsPath, runBatch, cancelRequest, releaseRequest: cancelRequest },
};
