import { createHash } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { isTerminalRequestStatus } from '@stagecoach/domain';
import express, { Router, type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Container } from '../../container';
import { HTTP_STATUS, isAppError } from '../../lib/errors';
import { datedTarName, streamRequestTar } from '../downloads/tar-bundle';
import { StagedFile } from '../staging/staged-file.entity';
import { StagingRequest } from '../staging/staging-request.entity';
import type { User } from '../users/user.entity';
import { enqueue } from '../jobs/queue';
import { Cart, type CartCheck } from './cart.entity';
import { CART_BUNDLE, isSupportedHashtype } from './cart.tasks';
import { authenticateBearer, headerSafe, parseJsonBody } from './compat-auth';
import { chargeCompatMutation, type MutationLimits } from './compat-limit';

/** Client-chosen cart ids: uuidgen output and the like; nothing that could be a path. */
const UID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const NOT_FOUND = 'The cart does not exist or has already been deleted';

export type CartStatus = 'waiting' | 'staging' | 'bundling' | 'ready' | 'error';

/** cartd's `data_YYYY_MM_DD_HH_MM_SS.tar` (UTC). */
export const cartBundleName = (at: Date): string => datedTarName('data', at);

/** A `filename` the client asked for, reduced to a safe base name (no folders, quotes or control characters). */
function safeFilename(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const base = v.split(/[\\/]/).pop()!.replace(/[^A-Za-z0-9._ -]/g, '_').trim().slice(0, 200);
  return base && base !== '.' && base !== '..' ? base : null;
}

/** cartd's status and message for the request behind a cart. */
async function cartStatus(em: EntityManager, cart: Cart): Promise<{ status: CartStatus; message: string }> {
  const r = cart.request as StagingRequest;
  if (r.expiredAt) return { status: 'error', message: 'The cart has expired; its files are no longer available.' };
  if (r.status === 'QUEUED') return { status: 'waiting', message: '' };
  if (r.status === 'RUNNING' || !isTerminalRequestStatus(r.status)) return { status: 'staging', message: '' };
  if (r.status === 'CANCELLED') return { status: 'error', message: 'The cart was cancelled.' };
  if (r.status === 'SUCCEEDED') {
    if (cart.bundleState === 'ready') return { status: 'ready', message: '' };
    if (cart.bundleState === 'error') return { status: 'error', message: cart.bundleMessage ?? 'The cart could not be bundled.' };
    return { status: 'bundling', message: '' };
  }
  const failed = await em.findOne(StagedFile, { request: r.id, status: 'FAILED' }, { orderBy: { seq: 'asc' } });
  const more = r.filesFailed > 1 ? ` (and ${r.filesFailed - 1} more file(s) failed)` : '';
  return { status: 'error', message: failed ? `${failed.source}: ${failed.errorMessage ?? failed.errorCode}${more}` : 'The cart could not be staged.' };
}

/** HTTP reason phrases for cartd's error bodies (`"status": "404 Not Found"`). */
const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 410: 'Gone', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/**
 * cartd's error body (CherryPy's error page, forced to JSON): `{status, message, traceback,
 * version}`. The traceback is always empty here; our error code travels along as `code`.
 */
export function cartError(res: Response, status: number, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ status: `${status} ${REASONS[status] ?? 'Error'}`, message, traceback: '', version: 'stagecoach', ...extra });
}

/** One entry of `fileids`: cartd's schema (`id` integer or string), with `path` and the checksum optional here. */
interface FileId {
  id: string;
  path: string | null;
  check: { hashtype: string; hashsum: string } | null;
}

/** Reads `fileids`, or says what is wrong with it. */
function parseFileIds(body: unknown): { ok: true; files: FileId[] } | { ok: false; message: string } {
  const fileids = body && typeof body === 'object' ? (body as { fileids?: unknown }).fileids : undefined;
  if (!Array.isArray(fileids) || fileids.length === 0) return { ok: false, message: 'JSON content could not be read' };
  const files: FileId[] = [];
  for (const [i, f] of fileids.entries()) {
    if (!f || typeof f !== 'object') return { ok: false, message: 'JSON content could not be read' };
    const { id, path, hashtype, hashsum } = f as Record<string, unknown>;
    const name = typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? String(id) : typeof id === 'string' && id !== '' ? id : null;
    if (name === null) return { ok: false, message: `fileids[${i}].id must be a non-negative integer or a non-empty string` };
    if (path !== undefined && typeof path !== 'string') return { ok: false, message: `fileids[${i}].path must be a string` };
    if ((hashtype === undefined) !== (hashsum === undefined)) return { ok: false, message: `fileids[${i}]: give hashtype and hashsum together` };
    if (hashtype !== undefined && (typeof hashtype !== 'string' || !isSupportedHashtype(hashtype))) return { ok: false, message: `fileids[${i}].hashtype ${JSON.stringify(hashtype)} is not a supported hash algorithm` };
    if (hashsum !== undefined && (typeof hashsum !== 'string' || !/^[0-9A-Fa-f]{8,256}$/.test(hashsum.trim()))) return { ok: false, message: `fileids[${i}].hashsum must be a hexadecimal digest` };
    files.push({ id: name, path: (path as string | undefined) || null, check: hashtype !== undefined ? { hashtype: (hashtype as string).toLowerCase(), hashsum: (hashsum as string).trim().toLowerCase() } : null });
  }
  return { ok: true, files };
}

/**
 * Pacifica cartd compatibility: POST creates a cart (a DIRECT_DOWNLOAD request: `fileids[].id` is
 * the archive path, or an integer naming the archive file of that number; `fileids[].path` the
 * name inside the tar; `hashtype`/`hashsum` verified before the cart is ready), HEAD answers
 * X-Pacifica-Status / X-Pacifica-Message, GET streams the tar (202 until ready), DELETE removes it.
 * POSTing a uid again replaces its cart (cartd's "newest wins"); an identical retry keeps the one
 * cart. Unlike cartd: Bearer tokens, carts scoped to their owner (another user's uid is simply not
 * found), paths confined to the archive, no tracebacks. Served under `/carts/<uid>` on the main
 * port (`prefix`), and at the root of CARTD_PORT (see `cartdApp`).
 */
export function cartRoutes(orm: MikroORM, c: Container, limits?: MutationLimits, prefix = '/carts'): Router {
  const router = Router();

  /** Charges a change (POST, DELETE) to the caller's GraphQL mutation budget; false once the 429 is answered. */
  const charge = (user: User, res: Response): boolean => {
    const refused = limits ? chargeCompatMutation(limits, user, res) : null;
    if (refused) cartError(res, 429, refused.message, { code: refused.code, ...refused.extensions });
    return !refused;
  };

  /** Authenticates and validates the uid; answers and returns null when either fails. */
  const begin = async (req: Request, res: Response): Promise<{ em: EntityManager; user: User; uid: string } | null> => {
    const em = orm.em.fork();
    const auth = await authenticateBearer(req, c.services(em).tokens);
    if (!auth.ok) {
      if (auth.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
      if (req.method === 'HEAD') res.setHeader('X-Pacifica-Status', 'error').setHeader('X-Pacifica-Message', headerSafe(auth.message));
      cartError(res, auth.status, auth.message);
      return null;
    }
    const uid = String(req.params.uid);
    if (!UID.test(uid)) {
      if (req.method === 'HEAD') res.setHeader('X-Pacifica-Status', 'error').setHeader('X-Pacifica-Message', 'The uid was not valid');
      cartError(res, 400, 'The uid was not valid', { uid: uid.slice(0, 200) });
      return null;
    }
    return { em, user: auth.user, uid };
  };

  const findCart = (em: EntityManager, user: User, uid: string) => em.findOne(Cart, { owner: user.id, uid }, { populate: ['request'] });

  /** Retires a cart's request: cancels it if still running and removes its data; the request stays as history. */
  const retire = async (em: EntityManager, user: User, request: StagingRequest) => {
    if (!isTerminalRequestStatus(request.status)) {
      await c.services(em).staging.cancel(user, request.id).catch((e: unknown) => {
        if (!isAppError(e) || e.code !== 'NOT_CANCELLABLE') throw e;
      });
    }
    await c.services(em).lifecycle.removeData(request.id, 'DELETED');
    // Its idempotency key is free again, so the same content can be carted anew.
    await em.nativeUpdate(StagingRequest, { id: request.id }, { idempotencyKey: null });
  };

  const create = async (req: Request, res: Response) => {
    const ctx = await begin(req, res);
    if (!ctx) return;
    const { em, user, uid } = ctx;
    if (!charge(user, res)) return;
    const body = parseJsonBody(req);
    const parsed = body.ok ? parseFileIds(body.value) : ({ ok: false, message: 'JSON content could not be read' } as const);
    if (!parsed.ok) return cartError(res, 400, parsed.message);
    const items = parsed.files.map((f) => ({ source: f.id, target: f.path }));
    const checks: CartCheck[] = parsed.files.flatMap((f) => (f.check ? [{ source: f.id, ...f.check }] : []));
    // The key makes a retried POST (a client retrying after a timeout) one cart, not two; other
    // content under the same uid is a new request that replaces the cart.
    const digest = createHash('sha256').update(JSON.stringify(parsed.files)).digest('hex').slice(0, 32);
    let request: StagingRequest;
    try {
      request = await c.services(em).staging.stage(user, { method: 'DIRECT_DOWNLOAD', items, idempotencyKey: `cart:${uid}:${digest}` });
    } catch (e) {
      if (!isAppError(e)) throw e;
      return cartError(res, HTTP_STATUS[e.code], e.message, { code: e.code, ...e.extensions });
    }
    // The request row's lock orders this against the request-finished hook: whichever comes second
    // sees the other's work, so a cart whose request already succeeded still gets its bundle job.
    const replaced = await em.transactional(async (tx) => {
      const conn = tx.getConnection();
      const [row] = await conn.execute<{ status: string }[]>(`select status from staging_requests where id = ? for update`, [request.id], 'all', tx.getTransactionContext());
      const [old] = await conn.execute<{ id: string; request_id: string }[]>(`select id, request_id from carts where owner_id = ? and uid = ? for update`, [user.id, uid], 'all', tx.getTransactionContext());
      if (old?.request_id === request.id) return null;
      const fields = [request.id, JSON.stringify(checks.length ? checks : null), c.clock.now()];
      let cartId: string;
      if (old) {
        await conn.execute(`update carts set request_id = ?, checks = ?::jsonb, bundle_state = null, bundle_message = null, created_at = ? where id = ?`, [...fields, old.id], 'run', tx.getTransactionContext());
        cartId = old.id;
      } else {
        const [inserted] = await conn.execute<{ id: string }[]>(
          `insert into carts (id, owner_id, uid, request_id, checks, created_at) values (gen_random_uuid(), ?, ?, ?, ?::jsonb, ?) returning id`,
          [user.id, uid, ...fields],
          'all',
          tx.getTransactionContext(),
        );
        cartId = inserted!.id;
      }
      if (row?.status === 'SUCCEEDED') await enqueue(tx, CART_BUNDLE, [{ payload: { cartId }, jobKey: `cart_bundle:${cartId}` }]);
      return old ? old.request_id : null;
    });
    if (replaced) {
      const previous = await em.findOne(StagingRequest, { id: replaced });
      if (previous) await retire(em, user, previous);
    }
    res.status(201).json({ message: 'Cart Processing has begun' });
  };

  const status = async (req: Request, res: Response) => {
    const ctx = await begin(req, res);
    if (!ctx) return;
    const cart = await findCart(ctx.em, ctx.user, ctx.uid);
    if (!cart) {
      res.setHeader('X-Pacifica-Status', 'error').setHeader('X-Pacifica-Message', headerSafe(`No cart with uid ${ctx.uid} found`));
      return void res.status(404).end();
    }
    const s = await cartStatus(ctx.em, cart);
    res.setHeader('X-Pacifica-Status', s.status).setHeader('X-Pacifica-Message', headerSafe(s.message));
    // cartd: 204 for every state but error, which is 500 (404 only for an unknown cart).
    res.status(s.status === 'error' ? 500 : 204).end();
  };

  const download = async (req: Request, res: Response) => {
    const ctx = await begin(req, res);
    if (!ctx) return;
    const cart = await findCart(ctx.em, ctx.user, ctx.uid);
    if (!cart) return cartError(res, 404, NOT_FOUND);
    const request = cart.request as StagingRequest;
    const s = await cartStatus(ctx.em, cart);
    // cartd answers this one as plain text.
    if (s.status === 'waiting' || s.status === 'staging' || s.status === 'bundling') return void res.status(202).type('text/plain').send('The cart is not ready for download.');
    if (s.status === 'error') return cartError(res, request.expiredAt ? 410 : 500, s.message);
    await c.services(ctx.em).lifecycle.touch(request.id);
    await streamCart(orm, c, res, request, safeFilename(req.query.filename) ?? cartBundleName(c.clock.now()));
  };

  const remove = async (req: Request, res: Response) => {
    const ctx = await begin(req, res);
    if (!ctx) return;
    const cart = await findCart(ctx.em, ctx.user, ctx.uid);
    if (!cart) return cartError(res, 404, NOT_FOUND);
    if (!charge(ctx.user, res)) return;
    await retire(ctx.em, ctx.user, cart.request as StagingRequest);
    // The uid can be used again.
    await ctx.em.nativeDelete(Cart, { id: cart.id });
    res.status(200).json({ message: 'Cart Deleted Successfully' });
  };

  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: express.NextFunction) => void fn(req, res).catch(next);
  router.post(`${prefix}/:uid`, express.raw({ type: () => true, limit: '10mb' }), wrap(create));
  router.head(`${prefix}/:uid`, wrap(status));
  router.get(`${prefix}/:uid`, wrap(download));
  router.delete(`${prefix}/:uid`, wrap(remove));
  router.all(`${prefix}/:uid`, (_req, res) => {
    res.setHeader('Allow', 'GET, HEAD, POST, DELETE');
    cartError(res, 405, 'The method is not allowed for the requested URL.');
  });
  // Nothing lives below a cart: JSON 404, never the web app.
  router.all([...(prefix ? [prefix] : []), `${prefix}/*rest`], (_req, res) => cartError(res, 404, 'Nothing matches the given URI'));
  return router;
}

/**
 * The cart API at the root of its own port (CARTD_PORT), exactly where cartd served it, so its
 * clients only change the host: `GET /` says it is up, `/<uid>` is the cart. Same handlers,
 * authentication and error bodies as `/carts/<uid>` on the main port.
 */
export function cartdApp(orm: MikroORM, c: Container, limits?: MutationLimits): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', c.config.trustProxy);
  // Method, path and status only, like the main port (a path here is a client's cart uid, no secret).
  app.use(
    pinoHttp({
      logger: c.logger.child({ module: 'cartd' }),
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.get('/', (_req, res) => void res.json({ message: 'Pacifica Cartd Interface Up and Running' }));
  app.use(cartRoutes(orm, c, limits, ''));
  app.use((_req: Request, res: Response) => cartError(res, 404, 'Nothing matches the given URI'));
  app.use((err: unknown, _req: Request, res: Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    const status = (err as { status?: number }).status ?? 500;
    if (status >= 500) c.logger.error({ err, module: 'cartd' }, 'unhandled cartd error');
    cartError(res, status, status >= 500 ? 'Internal error.' : 'Bad request.');
  });
  return app;
}

/** Streams the cart's files as one tar, each under its `path` (see tar-bundle.ts). */
async function streamCart(orm: MikroORM, c: Container, res: Response, request: StagingRequest, filename: string): Promise<void> {
  res.setHeader('Content-Type', 'application/x-tar');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.setHeader('Cache-Control', 'private, no-transform');
  await streamRequestTar(orm, c, res, request);
}
