import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MikroORM } from '@mikro-orm/postgresql';
import { isTerminalRequestStatus, type StagingMethod } from '@stagecoach/domain';
import { resolveInside } from '@stagecoach/storage';
import express, { Router, type Request, type Response } from 'express';
import type { Container } from '../../container';
import { HTTP_STATUS, isAppError } from '../../lib/errors';
import { StagedFile } from '../staging/staged-file.entity';
import { StagingRequest } from '../staging/staging-request.entity';
import { User } from '../users/user.entity';
import { authenticateBearer, parseJsonBody } from './compat-auth';

/** The SKAO staging service's method names (with the spellings its docs and Helm chart use) → ours. */
export const SKAO_METHODS: Readonly<Record<string, StagingMethod>> = {
  local_copy: 'LOCAL_COPY',
  local_symlink: 'LOCAL_SYMLINK',
  symlink_copy: 'LOCAL_SYMLINK',
  local_hardlink: 'LOCAL_HARDLINK',
  hardlink_copy: 'LOCAL_HARDLINK',
  direct_download: 'DIRECT_DOWNLOAD',
  direct_dowload: 'DIRECT_DOWNLOAD',
  jupyter_copy: 'JUPYTER_COPY',
  rucio_copy: 'RUCIO_COPY',
  s3_copy: 'S3_COPY',
};

/** FastAPI's error shapes: `{detail: "..."}`, and for validation `{detail: [{type, loc, msg, input}]}` with 422. */
const detail = (res: Response, status: number, message: string) => res.status(status).json({ detail: message });
const invalid = (res: Response, problems: { type: string; loc: (string | number)[]; msg: string; input: unknown }[]) => res.status(422).json({ detail: problems });

/** Status code a failed file answers with. */
const FILE_FAILURE_STATUS: Record<string, number> = { TARGET_EXISTS: 409, SOURCE_NOT_FOUND: 400, PATH_OUTSIDE_ROOT: 400, QUOTA_EXCEEDED: 507, METHOD_NOT_ALLOWED: 400 };

/**
 * SKAO compatibility: `POST /stage_data?method=<m>&username=<u>` with `{local_path_on_storage,
 * relative_path}` (also accepted wrapped in `{data: {...}}`, as the SKAO docs' example sends it),
 * mapped onto `stage`. Unlike SKAO it needs an API token (the `username` must be the token's user,
 * except for admins staging for someone else) and applies Stagecoach's rules: paths confined to
 * the archive and the user's area, no overwriting, quotas. SKAO answered once the copy was done;
 * this waits up to COMPAT_WAIT for the request to finish, then answers 202 with the request id.
 */
export function skaoRoutes(orm: MikroORM, c: Container): Router {
  const router = Router();
  const handler = async (req: Request, res: Response) => {
    const em = orm.em.fork();
    const auth = await authenticateBearer(req, c.services(em).tokens);
    if (!auth.ok) {
      if (auth.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
      return detail(res, auth.status, auth.message);
    }
    const problems: Parameters<typeof invalid>[1] = [];
    const q = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);
    const methodName = q('method');
    const username = q('username');
    if (!methodName) problems.push({ type: 'missing', loc: ['query', 'method'], msg: 'Field required', input: null });
    if (!username) problems.push({ type: 'missing', loc: ['query', 'username'], msg: 'Field required', input: null });
    const body = parseJsonBody(req);
    let source: string | undefined;
    let target: string | undefined;
    if (!body.ok) {
      problems.push({ type: 'json_invalid', loc: ['body'], msg: 'JSON decode error', input: null });
    } else {
      const v = body.value as Record<string, unknown> | null;
      const data = (v && typeof v === 'object' && v.data && typeof v.data === 'object' ? v.data : v) as Record<string, unknown> | null;
      if (!data || typeof data !== 'object' || Array.isArray(data)) {
        problems.push({ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: data });
      } else {
        if (typeof data.local_path_on_storage !== 'string' || data.local_path_on_storage === '') {
          problems.push({ type: data.local_path_on_storage === undefined ? 'missing' : 'string_type', loc: ['body', 'local_path_on_storage'], msg: data.local_path_on_storage === undefined ? 'Field required' : 'Input should be a valid string', input: data.local_path_on_storage ?? null });
        } else source = data.local_path_on_storage;
        if (data.relative_path !== undefined && data.relative_path !== null && typeof data.relative_path !== 'string') {
          problems.push({ type: 'string_type', loc: ['body', 'relative_path'], msg: 'Input should be a valid string', input: data.relative_path });
        } else if (typeof data.relative_path === 'string' && data.relative_path.trim()) target = data.relative_path;
      }
    }
    if (problems.length) return invalid(res, problems);

    const method = SKAO_METHODS[methodName!.toLowerCase()];
    if (!method || !c.methods.get(method)) return detail(res, 400, `Invalid staging method: ${methodName}`);

    // The username names whose area receives the data: the caller's own, or anyone's for an admin.
    let owner = auth.user;
    if (username !== auth.user.username && username !== auth.user.email) {
      if (auth.user.role !== 'ADMIN') return detail(res, 403, `The username ${username} does not match the authenticated user.`);
      const other = await em.findOne(User, { $or: [{ username: username! }, { email: username!.toLowerCase() }] });
      if (!other) return detail(res, 404, `Unknown user: ${username}`);
      if (other.status !== 'ACTIVE') return detail(res, 403, `The account of ${username} is not active.`);
      owner = other;
    }

    const relSource = await toArchiveRelative(c, source!);
    if (relSource === null) return detail(res, 400, `Source path is outside the archive: ${source}`);
    const services = c.services(em);
    let request: StagingRequest;
    try {
      request = await services.staging.stage(owner, { method, items: [{ source: relSource, target: method === 'DIRECT_DOWNLOAD' ? null : (target ?? null) }] });
    } catch (e) {
      if (!isAppError(e)) throw e;
      if (e.code === 'SOURCE_NOT_FOUND') return detail(res, 400, `Source path does not exist: ${source}`);
      if (e.code === 'METHOD_NOT_ALLOWED') return detail(res, 400, `Invalid staging method: ${methodName}`);
      return res.status(HTTP_STATUS[e.code]).json({ detail: e.message, code: e.code, ...e.extensions });
    }

    const done = await waitForFinish(orm, request.id, c.config.compatWaitMs);
    const base = { request_id: request.id, method: methodName, local_path_on_storage: source, relative_path: target ?? relSource };
    if (!done) return res.status(202).json({ status: 'accepted', message: 'Staging request accepted; it is still in progress.', ...base });
    if (done.status === 'CANCELLED') return detail(res, 409, 'The staging request was cancelled.');
    if (done.filesFailed > 0) {
      const failed = await em.fork().findOne(StagedFile, { request: done.id, status: 'FAILED' }, { orderBy: { seq: 'asc' } });
      return res.status(FILE_FAILURE_STATUS[failed?.errorCode ?? ''] ?? 500).json({ detail: failed?.errorMessage ?? 'The staging failed.', code: failed?.errorCode ?? 'TRANSFER_FAILED', request_id: done.id });
    }
    if (method === 'DIRECT_DOWNLOAD') return serveDownload(orm, c, res, done);
    if (done.filesSkipped === done.filesTotal) {
      return res.json({ status: 'success', message: 'The file is already available at the target; no copy was needed.', ...base });
    }
    return res.json({ status: 'success', message: `Data staged successfully with ${methodName}.`, files: done.filesDone + done.filesSkipped, ...base });
  };
  // The body is read raw and parsed here: a malformed one must answer FastAPI's 422, not the app's 400.
  router.post('/stage_data', express.raw({ type: () => true, limit: '1mb' }), (req, res, next) => void handler(req, res).catch(next));
  return router;
}

/**
 * SKAO clients send absolute paths on the storage mount (`/mnt/storage_a/File1.txt`). One that lies
 * under the archive root is made relative to it; any other absolute path is refused (null). Relative
 * paths pass through; `stage` confines them (`..`, symlinks out) as for every other client.
 */
async function toArchiveRelative(c: Container, userPath: string): Promise<string | null> {
  if (!path.isAbsolute(userPath)) return userPath;
  const root = c.sites.source().root;
  for (const base of new Set([path.resolve(root), await fs.realpath(root).catch(() => path.resolve(root))])) {
    const rel = path.relative(base, path.resolve(userPath));
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  }
  return null;
}

async function waitForFinish(orm: MikroORM, id: string, timeoutMs: number): Promise<StagingRequest | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await orm.em.fork().findOne(StagingRequest, { id });
    if (r && isTerminalRequestStatus(r.status) && r.finishedAt) return r;
    if (Date.now() >= deadline) return null;
    await sleep(100);
  }
}

/** SKAO's direct_download answered with the file itself (FastAPI FileResponse); a folder becomes the signed tar bundle. */
async function serveDownload(orm: MikroORM, c: Container, res: Response, r: StagingRequest): Promise<void> {
  const em = orm.em.fork();
  const files = await em.find(StagedFile, { request: r.id, status: 'DONE' }, { orderBy: { seq: 'asc' }, limit: 2 });
  const expires = r.expiresAt ?? new Date(c.clock.now().getTime() + c.config.downloadLinkTtlMs);
  if (files.length !== 1) {
    res.redirect(303, c.links.url({ r: r.id, v: r.linkVersion, e: Math.floor(expires.getTime() / 1000) }));
    return;
  }
  const f = files[0]!;
  const abs = await resolveInside(c.sites.source(r.sourceSiteId).root, f.source).catch(() => null);
  if (!abs) {
    res.status(410).json({ detail: 'The file is no longer in the archive.' });
    return;
  }
  // No checksum ETag: the bytes are read live, so the validator must change with the file (send's does).
  await new Promise<void>((resolve) => res.download(abs, path.posix.basename(f.target), { dotfiles: 'allow' }, () => resolve()));
}
