import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Container } from '../../container';
import { isAppError } from '../../lib/errors';
import { addLogContext } from '../../lib/log-context';
import { bearerSecret } from '../auth/viewer';
import { isUuid } from '../../lib/ids';
import { User } from '../users/user.entity';
import { chargeCompatMutation, type MutationLimits } from './compat-limit';

/** ServiceX's own words (its `admin_required` and `auth_required` decorators). */
export const SERVICEX_NOT_ADMIN = 'Not Authorized: This resource is restricted to administrators.';
export const SERVICEX_PENDING = 'Not Authorized: Your account is still pending. An administrator should approve it shortly.';
/** Flask's answers for an unknown URL and a method the URL does not take. */
export const SERVICEX_NOT_FOUND =
  'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';
export const SERVICEX_METHOD_NOT_ALLOWED = 'The method is not allowed for the requested URL.';

const message = (res: Response, status: number, text: unknown) => void res.status(status).json({ message: text });

/** The accounts ServiceX would still have: it deleted users, we disable or reject them (and then no longer list them). */
const listed = (u: User) => u.status === 'ACTIVE' || u.status === 'PENDING';

/** Reads `email` from a form or JSON body (flask-restful's reqparse takes either). */
function emailFrom(req: Request): string | null {
  const body: unknown = req.body;
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>).email : undefined;
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  return typeof req.query.email === 'string' && req.query.email.trim() !== '' ? req.query.email.trim() : null;
}

/**
 * The ServiceX app's user-management API, for admins' scripts: `GET /users`, `GET /pending`,
 * `POST /accept` and `DELETE /users/<id>`, answering ServiceX's JSON shapes and messages. Every
 * route needs an active admin's API token (`Authorization: Bearer <token>`); anyone else gets
 * ServiceX's 401. Decisions go through the same service as the web app (emails, ALREADY_DECIDED).
 */
export function serviceXRoutes(orm: MikroORM, c: Container, limits?: MutationLimits): Router {
  const router = Router();

  /** Charges a decision to the admin's GraphQL mutation budget; false once the 429 is answered. */
  const charge = (actor: User, res: Response): boolean => {
    const refused = limits ? chargeCompatMutation(limits, actor, res) : null;
    if (refused) res.status(429).json({ message: refused.message, code: refused.code });
    return !refused;
  };

  /** The acting admin (an active admin's API token), or null once ServiceX's refusal has been answered. */
  const admin = async (req: Request, res: Response): Promise<{ em: EntityManager; actor: User } | null> => {
    const em = orm.em.fork();
    const secret = bearerSecret(req.headers.authorization);
    let user: User | null = null;
    if (secret) {
      try {
        user = (await c.services(em).tokens.authenticate(secret)).user;
        addLogContext({ userId: user.id });
      } catch (e) {
        if (!isAppError(e) || e.code !== 'UNAUTHENTICATED') throw e;
      }
    }
    if (!user) res.setHeader('WWW-Authenticate', 'Bearer');
    if (user?.status === 'PENDING') message(res, 401, SERVICEX_PENDING);
    else if (!user || user.status !== 'ACTIVE' || user.role !== 'ADMIN') message(res, 401, SERVICEX_NOT_ADMIN);
    else return { em, actor: user };
    return null;
  };

  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) =>
    void fn(req, res).catch(next);
  const notAllowed = (allow: string) => (_req: Request, res: Response) =>
    void res.setHeader('Allow', allow).status(405).json({ message: SERVICEX_METHOD_NOT_ALLOWED });

  router.get(
    '/users',
    wrap(async (req, res) => {
      const ctx = await admin(req, res);
      if (!ctx) return;
      const users = (await c.services(ctx.em).userAdmin.list()).filter(listed);
      res.json({
        users: users.map((u) => ({ email: u.email, id: u.id, admin: u.role === 'ADMIN', pending: u.status === 'PENDING' })),
      });
    }),
  );

  router.get(
    '/pending',
    wrap(async (req, res) => {
      const ctx = await admin(req, res);
      if (!ctx) return;
      const users = await c.services(ctx.em).userAdmin.list('PENDING');
      res.json({ users: users.map((u) => ({ email: u.email, id: u.id, admin: u.role === 'ADMIN' })) });
    }),
  );

  router.post(
    '/accept',
    express.urlencoded({ extended: false, limit: '16kb' }),
    express.json({ limit: '16kb' }),
    wrap(async (req, res) => {
      const ctx = await admin(req, res);
      if (!ctx) return;
      const email = emailFrom(req);
      if (!email) return message(res, 400, { email: 'This field cannot be blank' });
      if (!charge(ctx.actor, res)) return;
      const user = await c.services(ctx.em).users.findByEmail(email);
      if (!user) return message(res, 404, `No user registered with email: ${email}`);
      // ServiceX's accept is idempotent: accepting someone already active answers the same.
      if (user.status !== 'ACTIVE') {
        try {
          await c.services(ctx.em).userAdmin.approve(ctx.actor, user.id);
        } catch (e) {
          if (!isAppError(e) || e.code !== 'ALREADY_DECIDED') throw e;
          // Rejected or disabled: not for this route to undo (the web app's admin page can re-enable).
          if (e.extensions.status !== 'ACTIVE') return void res.status(409).json({ message: e.message, code: e.code });
        }
      }
      message(res, 200, `user ${email} now ready for access`);
    }),
  );

  router.delete(
    '/users/:id',
    wrap(async (req, res) => {
      const ctx = await admin(req, res);
      if (!ctx) return;
      const id = String(req.params.id);
      const user = isUuid(id) ? await ctx.em.findOne(User, { id }) : null;
      if (!user || !listed(user)) return message(res, 404, `user ${id} not found`);
      if (!charge(ctx.actor, res)) return;
      try {
        if (user.status === 'PENDING')
          await c.services(ctx.em).userAdmin.reject(ctx.actor, user.id, 'Removed by an administrator.');
        else await c.services(ctx.em).userAdmin.disable(ctx.actor, user.id);
      } catch (e) {
        if (!isAppError(e)) throw e;
        return void res.status(e.code === 'ALREADY_DECIDED' ? 409 : 400).json({ message: e.message, code: e.code });
      }
      message(
        res,
        200,
        `user ${id} has been disabled: Stagecoach never deletes accounts or their data; an administrator can enable the account again.`,
      );
    }),
  );

  // Flask's JSON answers for the other methods and for paths below these routes.
  router.all('/users', notAllowed('GET, HEAD, OPTIONS'));
  router.all('/pending', notAllowed('GET, HEAD, OPTIONS'));
  router.all('/accept', notAllowed('POST, OPTIONS'));
  router.all('/users/:id', notAllowed('DELETE, OPTIONS'));
  router.all(['/users/*rest', '/pending/*rest', '/accept/*rest'], (_req, res) => message(res, 404, SERVICEX_NOT_FOUND));
  return router;
}
