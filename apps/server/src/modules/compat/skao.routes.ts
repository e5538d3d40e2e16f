import fs from 'node:fs/promises';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { isTerminalRequestStatus, methodFromName, STAGING_METHODS, type LogLevel } from '@stagecoach/domain';
import { resolveInside } from '@stagecoach/storage';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Container } from '../../container';
import { started } from '../../graphql/live';
import { HTTP_STATUS, isAppError, type AppError } from '../../lib/errors';
import type { LogEvent } from '../../lib/pubsub';
import { LOGS_LAST_MAX } from '../logs/logs.service';
import { StagedFile } from '../staging/staged-file.entity';
import { StagingRequest } from '../staging/staging-request.entity';
import { User } from '../users/user.entity';
import { authenticateBearer, parseJsonBody } from './compat-auth';
import { chargeCompatMutation, type MutationLimits } from './compat-limit';

/** FastAPI's error shapes: `{detail: "..."}`, and for validation `{detail: [{type, loc, msg, input}]}` with 422. */
type Problem = { type: string; loc: (string | number)[]; msg: string; input: unknown };
const detail = (res: Response, status: number, message: string, extra: Record<string, unknown> = {}) =>
  res.status(status).json({ detail: message, ...extra });
const invalid = (res: Response, problems: Problem[]) => res.status(422).json({ detail: problems });
const appErrorAnswer = (res: Response, e: AppError) =>
  res.status(HTTP_STATUS[e.code]).json({ detail: e.message, code: e.code, ...e.extensions });

/** Status code a failed file answers with. */
const FILE_FAILURE_STATUS: Record<string, number> = {
  TARGET_EXISTS: 409,
  SOURCE_NOT_FOUND: 400,
  PATH_OUTSIDE_ROOT: 400,
  QUOTA_EXCEEDED: 507,
  METHOD_NOT_ALLOWED: 400,
};

/** `?lines=` of `GET /logs/` when absent. */
const LOG_LINES_DEFAULT = 1000;
/** Python's logging level names, which SKAO's log file carried. */
const PYTHON_LEVEL: Record<LogLevel, string> = { DEBUG: 'DEBUG', INFO: 'INFO', WARN: 'WARNING', ERROR: 'ERROR' };

/** Where a request's final answer can be fetched once `POST /stage-data/` stopped waiting. */
export const stageDataLocation = (requestId: string) => `/stage-data/${requestId}`;

const query = (req: Request, name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);

/**
 * SKAO staging service compatibility, the routes its React frontend and scripts call:
 *
 * - `POST /stage-data/?method=<m>&username=<u>[&jupyter_token=<t>]` (and the documented
 *   `/stage_data`) with `{"data": {local_path_on_storage, relative_path}}`, mapped onto `stage`;
 * - `GET /stage-data/<request_id>`: the final answer of a request the POST stopped waiting for;
 * - `GET /logs/`, `GET /config/`, `GET /config/allowed-methods/`, `POST /create-file/`.
 *
 * Unlike SKAO every route needs an API token, and staging applies Stagecoach's rules: paths
 * confined to the archive and the user's area, no overwriting, quotas, the mutation rate limit.
 * Errors keep FastAPI's `{"detail": ...}` shape (with our `code` where there is one).
 */
export function skaoRoutes(orm: MikroORM, c: Container, limits: MutationLimits): Router {
  const router = Router();
  const wrap =
    (fn: (req: Request, res: Response, next: NextFunction) => Promise<unknown>) =>
    (req: Request, res: Response, next: NextFunction) =>
      void fn(req, res, next).catch(next);

  /** The token's user, or null once the 401/403 answer is sent. */
  const authenticate = async (req: Request, res: Response): Promise<User | null> => {
    const auth = await authenticateBearer(req, c.services(orm.em.fork()).tokens);
    if (auth.ok) return auth.user;
    if (auth.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    detail(res, auth.status, auth.message);
    return null;
  };

  /** Charges a change to the caller's mutation budget; false once the 429 answer is sent. */
  const charge = (user: User, res: Response): boolean => {
    const refused = chargeCompatMutation(limits, user, res);
    if (refused) appErrorAnswer(res, refused);
    return !refused;
  };

  const stageData = async (req: Request, res: Response) => {
    const caller = await authenticate(req, res);
    if (!caller || !charge(caller, res)) return;
    const em = orm.em.fork();
    const problems: Problem[] = [];
    const methodName = query(req, 'method');
    const username = query(req, 'username');
    if (!methodName) problems.push({ type: 'missing', loc: ['query', 'method'], msg: 'Field required', input: null });
    if (!username) problems.push({ type: 'missing', loc: ['query', 'username'], msg: 'Field required', input: null });
    const body = parseJsonBody(req);
    let source: string | undefined;
    let target: string | undefined;
    if (!body.ok) {
      problems.push({ type: 'json_invalid', loc: ['body'], msg: 'JSON decode error', input: null });
    } else {
      const v = body.value as Record<string, unknown> | null;
      const data = (v && typeof v === 'object' && v.data && typeof v.data === 'object' ? v.data : v) as Record<
        string,
        unknown
      > | null;
      if (!data || typeof data !== 'object' || Array.isArray(data)) {
        problems.push({
          type: 'model_attributes_type',
          loc: ['body'],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: data,
        });
      } else {
        if (typeof data.local_path_on_storage !== 'string' || data.local_path_on_storage === '') {
          problems.push({
            type: data.local_path_on_storage === undefined ? 'missing' : 'string_type',
            loc: ['body', 'local_path_on_storage'],
            msg: data.local_path_on_storage === undefined ? 'Field required' : 'Input should be a valid string',
            input: data.local_path_on_storage ?? null,
          });
        } else source = data.local_path_on_storage;
        if (data.relative_path !== undefined && data.relative_path !== null && typeof data.relative_path !== 'string') {
          problems.push({
            type: 'string_type',
            loc: ['body', 'relative_path'],
            msg: 'Input should be a valid string',
            input: data.relative_path,
          });
        } else if (typeof data.relative_path === 'string' && data.relative_path.trim()) target = data.relative_path;
      }
    }
    if (problems.length) return invalid(res, problems);

    const method = methodFromName(methodName!);
    if (!method || !c.methods.get(method)) return detail(res, 400, `Invalid staging method: ${methodName}`);

    // The username names whose area receives the data: the caller's own, or anyone's for an admin.
    let owner = caller;
    if (username !== caller.username && username !== caller.email) {
      if (caller.role !== 'ADMIN') return detail(res, 403, `The username ${username} does not match the authenticated user.`);
      const other = await em.findOne(User, { $or: [{ username: username! }, { email: username!.toLowerCase() }] });
      if (!other) return detail(res, 404, `Unknown user: ${username}`);
      if (other.status !== 'ACTIVE') return detail(res, 403, `The account of ${username} is not active.`);
      owner = other;
    }

    const relSource = await toArchiveRelative(c, source!);
    if (relSource === null) return detail(res, 400, `Source path is outside the archive: ${source}`);
    let request: StagingRequest;
    try {
      request = await c.services(em).staging.stage(owner, {
        method,
        items: [{ source: relSource, target: method === 'DIRECT_DOWNLOAD' ? null : (target ?? null) }],
      });
    } catch (e) {
      if (!isAppError(e)) throw e;
      if (e.code === 'SOURCE_NOT_FOUND') return detail(res, 400, `Source path does not exist: ${source}`);
      if (e.code === 'METHOD_NOT_ALLOWED') return detail(res, 400, `Invalid staging method: ${methodName}`);
      return appErrorAnswer(res, e);
    }

    const base = {
      request_id: request.id,
      method: methodName,
      local_path_on_storage: source,
      relative_path: target ?? relSource,
    };
    // SKAO answered a direct_download with the file itself: stream it now, while the worker checks it.
    if (method === 'DIRECT_DOWNLOAD' && request.filesTotal === 1) return streamSourceFile(orm, c, res, request);

    const done = await waitForFinish(orm, c, request.id, c.config.compatWaitMs, res);
    if (!done) return accepted(res, request.id, base);
    return answerFinal(orm, c, res, done, methodName!, base);
  };

  // The body is read raw and parsed here: a malformed one must answer FastAPI's 422, not the app's 400.
  const rawBody = express.raw({ type: () => true, limit: '1mb' });
  router.post(['/stage_data', '/stage-data'], rawBody, wrap(stageData));

  router.get(
    '/stage-data/:id',
    wrap(async (req, res) => {
      const caller = await authenticate(req, res);
      if (!caller) return;
      const em = orm.em.fork();
      let request: StagingRequest;
      try {
        request = await c.services(em).staging.getVisible(caller, String(req.params.id));
      } catch (e) {
        if (isAppError(e)) return appErrorAnswer(res, e);
        throw e;
      }
      const base = { request_id: request.id, method: request.method.toLowerCase() };
      if (!isTerminalRequestStatus(request.status) || !request.finishedAt) return accepted(res, request.id, base);
      return answerFinal(orm, c, res, request, base.method, base);
    }),
  );

  router.get(
    '/logs',
    wrap(async (req, res, next) => {
      // The web app has a /logs page: a browser navigating there gets it, scripts get the log.
      if (req.accepts(['text/plain', 'application/json', 'text/html']) === 'text/html') return next('router');
      const caller = await authenticate(req, res);
      if (!caller) return;
      const linesArg = query(req, 'lines');
      const lines = linesArg === undefined ? LOG_LINES_DEFAULT : /^\d+$/.test(linesArg) ? Number(linesArg) : NaN;
      if (!Number.isInteger(lines) || lines < 1 || lines > LOGS_LAST_MAX) {
        return invalid(res, [
          {
            type: 'int_parsing',
            loc: ['query', 'lines'],
            msg: `Input should be a whole number from 1 to ${LOGS_LAST_MAX}`,
            input: linesArg,
          },
        ]);
      }
      const entries = await c
        .services(orm.em.fork())
        .logs.recent({ userId: caller.role === 'ADMIN' ? null : caller.id, minLevel: 'DEBUG', last: lines });
      res.setHeader('Cache-Control', 'no-store');
      res.type('text/plain; charset=utf-8').send(entries.map(logLine).join(''));
    }),
  );

  router.get(
    '/config',
    wrap(async (req, res) => {
      const caller = await authenticate(req, res);
      if (!caller) return;
      // Administrators see where the data is on the server; everyone else the sites' names.
      const shown = (site: { id: string; name?: string; root: string } | null) =>
        site ? (caller.role === 'ADMIN' ? site.root : (site.name ?? site.id)) : null;
      const maybe = <T>(f: () => T): T | null => {
        try {
          return f();
        } catch {
          return null;
        }
      };
      res.json({
        source_storage_path: shown(maybe(() => c.sites.source())),
        target_storage_path: shown(maybe(() => c.sites.userAreas())),
        allowed_methods: allowedMethodNames(c),
      });
    }),
  );

  router.get(
    '/config/allowed-methods',
    wrap(async (req, res) => {
      if (!(await authenticate(req, res))) return;
      res.json({ allowed_methods: allowedMethodNames(c) });
    }),
  );

  router.post(
    '/create-file',
    rawBody,
    wrap(async (req, res) => {
      const caller = await authenticate(req, res);
      if (!caller || !charge(caller, res)) return;
      const body = parseJsonBody(req);
      if (!body.ok) return invalid(res, [{ type: 'json_invalid', loc: ['body'], msg: 'JSON decode error', input: null }]);
      const v = (body.value && typeof body.value === 'object' && !Array.isArray(body.value) ? body.value : {}) as Record<
        string,
        unknown
      >;
      const problems: Problem[] = [];
      for (const field of ['filename', 'content'] as const) {
        if (typeof v[field] !== 'string') {
          problems.push({
            type: v[field] === undefined ? 'missing' : 'string_type',
            loc: ['body', field],
            msg: v[field] === undefined ? 'Field required' : 'Input should be a valid string',
            input: v[field] ?? null,
          });
        }
      }
      if (problems.length) return invalid(res, problems);
      const filename = v.filename as string;
      try {
        const created = await c.services(orm.em.fork()).fileTool.create(caller, { path: filename, content: v.content as string });
        res.json({ status: 'success', message: `File '${filename}' created successfully in ${created.path}.` });
      } catch (e) {
        if (isAppError(e)) return appErrorAnswer(res, e);
        throw e;
      }
    }),
  );

  // A known path with another method answers FastAPI's 405; anything else under these prefixes a
  // JSON 404, never the web app's index.html.
  const known = ['/stage_data', '/stage-data', '/stage-data/:id', '/logs', '/config', '/config/allowed-methods', '/create-file'];
  router.all(known, (req, res, next) => {
    if (req.path.replace(/\/$/, '') === '/logs' && req.method === 'GET') return next('router');
    detail(res, 405, 'Method Not Allowed');
  });
  router.use(['/stage_data', '/stage-data', '/logs', '/config', '/create-file'], (_req, res) =>
    detail(res, 404, 'Not Found', { code: 'NOT_FOUND' }),
  );
  return router;
}

/** The offered methods in SKAO's lower-case spelling. */
const allowedMethodNames = (c: Container) => c.methods.enabled(STAGING_METHODS).map((m) => m.toLowerCase());

const finished = (r: StagingRequest | null): r is StagingRequest =>
  r !== null && isTerminalRequestStatus(r.status) && r.finishedAt !== null;

/** 202 for a request still running, with where to fetch its final answer. */
function accepted(res: Response, requestId: string, base: Record<string, unknown>) {
  res.setHeader('Location', stageDataLocation(requestId));
  res.status(202).json({ status: 'accepted', message: 'Staging request accepted; it is still in progress.', ...base });
}

/** What a finished request answers: SKAO's success body, or the first failure with its status code. */
async function answerFinal(
  orm: MikroORM,
  c: Container,
  res: Response,
  done: StagingRequest,
  methodName: string,
  base: Record<string, unknown>,
) {
  if (done.status === 'CANCELLED') return detail(res, 409, 'The staging request was cancelled.', { request_id: done.id });
  if (done.filesFailed > 0) {
    const failed = await orm.em.fork().findOne(StagedFile, { request: done.id, status: 'FAILED' }, { orderBy: { seq: 'asc' } });
    return res.status(FILE_FAILURE_STATUS[failed?.errorCode ?? ''] ?? 500).json({
      detail: failed?.errorMessage ?? 'The staging failed.',
      code: failed?.errorCode ?? 'TRANSFER_FAILED',
      request_id: done.id,
    });
  }
  if (done.method === 'DIRECT_DOWNLOAD') return serveDownload(orm, c, res, done);
  if (done.filesSkipped === done.filesTotal) {
    return res.json({ status: 'success', message: 'The file is already available at the target; no copy was needed.', ...base });
  }
  return res.json({
    status: 'success',
    message: `Data staged successfully with ${methodName}.`,
    files: done.filesDone + done.filesSkipped,
    ...base,
  });
}

/**
 * Waits until the request is finished, at most `timeoutMs` or until the client hangs up: it
 * subscribes to the request's `request:updated` events before reading the request once, and
 * reads it again only when an event says it finished (the event is a trigger, not the truth),
 * or once more at the deadline in case an event was lost.
 */
async function waitForFinish(
  orm: MikroORM,
  c: Container,
  id: string,
  timeoutMs: number,
  res: Response,
): Promise<StagingRequest | null> {
  const live = started(c.pubsub.subscribe('request:updated', id));
  const load = () => orm.em.fork().findOne(StagingRequest, { id });
  const stop = () => void live.return();
  const timer = setTimeout(stop, timeoutMs);
  res.once('close', stop);
  try {
    const now = await load();
    if (finished(now)) return now;
    for await (const event of live) {
      if (!isTerminalRequestStatus(event.status) || !event.finishedAt) continue;
      const r = await load();
      if (finished(r)) return r;
    }
    if (res.destroyed) return null;
    const last = await load();
    return finished(last) ? last : null;
  } finally {
    clearTimeout(timer);
    res.off('close', stop);
    await live.return();
  }
}

/** One line of SKAO's log file: `2025-01-20 02:00:00,123 - INFO - message`, in UTC. */
function logLine(e: LogEvent): string {
  const at = new Date(e.at).toISOString();
  const time = `${at.slice(0, 10)} ${at.slice(11, 19)},${at.slice(20, 23)}`;
  const message = (e.requestId ? `request ${e.requestId}: ${e.message}` : e.message).replace(/\s*[\r\n]+\s*/g, ' ');
  return `${time} - ${PYTHON_LEVEL[e.level]} - ${message}\n`;
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

/** Streams one file from the source site (re-confined now), as FastAPI's FileResponse did: bytes as they are read, no prior hashing. */
async function sendSourceFile(c: Container, res: Response, r: StagingRequest, f: StagedFile): Promise<void> {
  const abs = await resolveInside(c.sites.source(r.sourceSiteId).root, f.source).catch(() => null);
  if (!abs) return void detail(res, 410, 'The file is no longer in the archive.', { code: 'NOT_FOUND' });
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Cache-Control', 'private, no-transform');
  await new Promise<void>((resolve) =>
    res.download(abs, path.posix.basename(f.target), { dotfiles: 'allow' }, (err) => {
      if (err && !res.headersSent) detail(res, 410, 'The file is no longer readable.', { code: 'NOT_FOUND' });
      resolve();
    }),
  );
}

/** A direct_download of one file, answered at once: the worker's checksum is not waited for. */
async function streamSourceFile(orm: MikroORM, c: Container, res: Response, r: StagingRequest): Promise<void> {
  const f = await orm.em.fork().findOneOrFail(StagedFile, { request: r.id });
  return sendSourceFile(c, res, r, f);
}

/** A finished direct_download: the file itself; a folder becomes the signed tar bundle. */
async function serveDownload(orm: MikroORM, c: Container, res: Response, r: StagingRequest): Promise<void> {
  const files = await orm.em.fork().find(StagedFile, { request: r.id, status: 'DONE' }, { orderBy: { seq: 'asc' }, limit: 2 });
  if (files.length !== 1) {
    const expires = r.expiresAt ?? new Date(c.clock.now().getTime() + c.config.downloadLinkTtlMs);
    res.redirect(303, c.links.url({ r: r.id, v: r.linkVersion, e: Math.floor(expires.getTime() / 1000) }));
    return;
  }
  return sendSourceFile(c, res, r, files[0]!);
}
