import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { isTerminalRequestStatus } from '@stagecoach/domain';
import express, { Router, type Request, type Response } from 'express';
import type { Container } from '../../container';
import { HTTP_STATUS, isAppError } from '../../lib/errors';
import { datedTarName, streamRequestTar } from '../downloads/tar-bundle';
import { StagedFile } from '../staging/staged-file.entity';
import { StagingRequest } from '../staging/staging-request.entity';
import type { User } from '../users/user.entity';
import { Cart } from './cart.entity';
import { authenticateBearer, headerSafe, parseJsonBody } from './compat-auth';

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
async function cartStatus(em: EntityManager, r: StagingRequest): Promise<{ status: CartStatus; message: string }> {
  if (r.expiredAt) return { status: 'error', message: 'The cart has expired; its files are no longer available.' };
  if (r.status === 'QUEUED') return { status: 'waiting', message: '' };
  if (r.status === 'RUNNING' || !isTerminalRequestStatus(r.status)) return { status: 'staging', message: '' };
  if (r.status === 'CANCELLED') return { status: 'error', message: 'The cart was cancelled.' };
  if (r.status === 'SUCCEEDED') return { status: 'ready', message: '' };
  const failed = await em.findOne(StagedFile, { request: r.id, status: 'FAILED' }, { orderBy: { seq: 'asc' } });
  const more = r.filesFailed > 1 ? ` (and ${r.filesFailed - 1} more file(s) failed)` : '';
  return { status: 'error', message: failed ? `${failed.source}: ${failed.errorMessage ?? failed.errorCode}${more}` : 'The cart could not be staged.' };
}

/**
 * Pacifica cartd compatibility under `/carts/<uid>`: POST creates a cart (a DIRECT_DOWNLOAD
 * request: `fileids[].id` is the archive path, `fileids[].path` the name inside the tar), HEAD
 * answers X-Pacifica-Status / X-Pacifica-Message, GET streams the tar (202 until ready), DELETE
 * removes it. Unlike cartd: Bearer tokens, carts scoped to their owner (another user's uid is
 * simply not found), paths confined to the archive, no tracebacks.
 */
export function cartRoutes(orm: MikroORM, c: Container): Router {
  const router = Router();

  /** Authenticates and validates the uid; answers and returns null when either fails. */
  const begin = async (req: Request, res: Response): Promise<{ em: EntityManager; user: User; uid: string } | null> => {
    const em = orm.em.fork();
    const auth = await authenticateBearer(req, c.services(em).tokens);
    if (!auth.ok) {
      if (auth.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
      if (req.method === 'HEAD') res.setHeader('X-Pacifica-Status', 'error').setHeader('X-Pacifica-Message', headerSafe(auth.message));
      res.status(auth.status).json({ message: auth.message });
      return null;
    }
    const uid = String(req.params.uid);
    if (!UID.test(uid)) {
      if (req.method === 'HEAD') res.setHeader('X-Pacifica-Status', 'error').setHeader('X-Pacifica-Message', 'The uid was not valid');
      res.status(400).json({ message: 'The uid was not valid', uid: uid.slice(0, 200) });
      return null;
    }
    return { em, user: auth.user, uid };
  };

  const findCart = (em: EntityManager, user: User, uid: string) => em.findOne(Cart, { owner: user.id, uid }, { populate: ['request'] });

  const create = async (req: Request, res: Response) => {
    const ctx = await begin(req, res);
    if (!ctx) return;
    const { em, user, uid } = ctx;
    const body = parseJsonBody(req);
    const fileids = body.ok ? (body.value as { fileids?: unknown } | null)?.fileids : undefined;
    const valid = Array.isArray(fileids) && fileids.length > 0 && fileids.every((f) => f && typeof f === 'object' && typeof (f as { id: unknown }).id === 'string' && (f as { id: string }).id !== '' && ((f as { path?: unknown }).path === undefined || typeof (f as { path: unknown }).path === 'string'));
    if (!valid) return void res.status(400).json({ message: 'JSON content could not be read' });
    if (await findCart(em, user, uid)) return void res.status(409).json({ message: 'A cart with this uid already exists; delete it first.', uid });
    const items = (fileids as { id: string; path?: string }[]).map((f) => ({ source: f.id, target: f.path || null }));
    let request: StagingRequest;
    try {
      // The idempotency key makes a repeated POST (a client retrying after a timeout) one cart, not two.
      request = await c.services(em).staging.stage(user, { method: 'DIRECT_DOWNLOAD', items, idempotencyKey: `cart:${uid}` });
    } catch (e) {
      if (!isAppError(e)) throw e;
      return void res.status(HTTP_STATUS[e.code]).json({ message: e.message, code: e.code, ...e.extensions });
    }
    await em.getConnection().execute(
      `insert into carts (id, owner_id, uid, request_id, created_at) values (gen_random_uuid(), ?, ?, ?, ?) on conflict (owner_id, uid) do nothing`,
      [user.id, uid, request.id, c.clock.now()],
    );
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
    const s = await cartStatus(ctx.em, cart.request as StagingRequest);
    res.setHeader('X-Pacifica-Status', s.status).setHeader('X-Pacifica-Message', headerSafe(s.message));
    // cartd: 204 for every state but error, which is 500 (404 only for an unknown cart).
    res.status(s.status === 'error' ? 500 : 204).end();
  };

  const download = async (req: Request, res: Response) => {
    const ctx = await begin(req, res);
    if (!ctx) return;
    const cart = await findCart(ctx.em, ctx.user, ctx.uid);
    if (!cart) return void res.status(404).json({ message: NOT_FOUND });
    const request = cart.request as StagingRequest;
    const s = await cartStatus(ctx.em, request);
    if (s.status === 'waiting' || s.status === 'staging') return void res.status(202).json({ message: 'The cart is not ready for download.' });
    if (s.status === 'error') return void res.status(request.expiredAt ? 410 : 500).json({ message: s.message });
    await c.services(ctx.em).lifecycle.touch(request.id);
    await streamCart(orm, c, res, request, safeFilename(req.query.filename) ?? cartBundleName(c.clock.now()));
  };

  const remove = async (req: Request, res: Response) => {
    const ctx = await begin(req, res);
    if (!ctx) return;
    const cart = await findCart(ctx.em, ctx.user, ctx.uid);
    if (!cart) return void res.status(404).json({ message: NOT_FOUND });
    const request = cart.request as StagingRequest;
    if (!isTerminalRequestStatus(request.status)) {
      await c.services(ctx.em).staging.cancel(ctx.user, request.id).catch((e: unknown) => {
        if (!isAppError(e) || e.code !== 'NOT_CANCELLABLE') throw e;
      });
    }
    // The request stays as history; its links stop working and the uid (and its idempotency key) can be used again.
    await c.services(ctx.em).lifecycle.removeData(request.id, 'DELETED');
    await ctx.em.transactional(async (tx) => {
      await tx.nativeDelete(Cart, { id: cart.id });
      await tx.nativeUpdate(StagingRequest, { id: request.id }, { idempotencyKey: null });
    });
    res.status(200).json({ message: 'Cart Deleted Successfully' });
  };

  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: express.NextFunction) => void fn(req, res).catch(next);
  router.post('/carts/:uid', express.raw({ type: () => true, limit: '10mb' }), wrap(create));
  router.head('/carts/:uid', wrap(status));
  router.get('/carts/:uid', wrap(download));
  router.delete('/carts/:uid', wrap(remove));
  return router;
}

/** Streams the cart's files as one tar, each under its `path` (see tar-bundle.ts). */
async function streamCart(orm: MikroORM, c: Container, res: Response, request: StagingRequest, filename: string): Promise<void> {
  res.setHeader('Content-Type', 'application/x-tar');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.setHeader('Cache-Control', 'private, no-transform');
  await streamRequestTar(orm, c, res, request);
}
