import type { MikroORM, EntityManager } from '@mikro-orm/postgresql';
import type { RequestStatus } from '@stagecoach/domain';
import express, { Router, type Request, type Response } from 'express';
import { buildSchema, graphql, GraphQLError, type GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import type { Container } from '../../container';
import { HTTP_STATUS, isAppError } from '../../lib/errors';
import { webdavUrlOf } from '../methods/dcache-stage.method';
import { routeSource } from '../sites/url-routing';
import type { WebdavSiteConfig } from '../sites/sites.config';
import { StagedFile } from '../staging/staged-file.entity';
import { StagingRequest } from '../staging/staging-request.entity';
import type { User } from '../users/user.entity';
import { authenticateBearer } from './compat-auth';
import { chargeCompatMutation, type MutationLimits } from './compat-limit';

/**
 * StageIT's request states as its API reports them: a one-letter `currentStatusCode` and a name
 * (`currentStatus`). `N` (new) is never reported: a request is scheduled as soon as it is accepted.
 */
export const STAGEIT_STATUS: Readonly<Record<RequestStatus, { code: string; name: string }>> = {
  QUEUED: { code: 'S', name: 'scheduled' },
  RUNNING: { code: 'I', name: 'in progress' },
  SUCCEEDED: { code: 'C', name: 'success' },
  PARTIALLY_SUCCEEDED: { code: 'P', name: 'partial success' },
  FAILED: { code: 'F', name: 'failed' },
  CANCELLED: { code: 'A', name: 'aborted' },
};
const STATUSES_OF_CODE = (code: string): RequestStatus[] =>
  (Object.keys(STAGEIT_STATUS) as RequestStatus[]).filter((s) => STAGEIT_STATUS[s].code === code);

/** At most this many requests answer one `requests` query (newest first). */
export const STAGEIT_REQUESTS_MAX = 1000;

const SDL = /* GraphQL */ `
  "A StageIT status code: N, S, I, C, P, F or A (quoted or not)."
  scalar StatusCode
  type LTASiteNode {
    name: String!
  }
  type MacaroonNode {
    content: String!
    validUntil: String!
    ltaSite: LTASiteNode!
  }
  type SurlNode {
    surl: String!
  }
  type LTARequestNode {
    id: ID!
    requestToken: String!
    requestType: String!
    when: String!
    notify: Boolean!
    currentStatus: String!
    currentStatusCode: String!
    response: String!
    surls: [SurlNode!]!
    macaroons: [MacaroonNode!]!
  }
  type LTARequestNodeEdge {
    node: LTARequestNode
  }
  type LTARequestNodeConnection {
    edges: [LTARequestNodeEdge!]!
  }
  type Query {
    request(id: ID!): LTARequestNode
    requests(
      when_Gte: String
      when_Lte: String
      currentStatusCode: StatusCode
      currentStatusCode_Ne: StatusCode
    ): LTARequestNodeConnection!
  }
`;

function stageitSchema() {
  const schema = buildSchema(SDL);
  // graphene-django filters take the code as an enum literal (`currentStatusCode: S`); the string form works too.
  const parse = (v: unknown) => {
    if (typeof v !== 'string' || !/^[NSICPFA]$/.test(v)) throw new GraphQLError('A status code is one of N, S, I, C, P, F, A.');
    return v;
  };
  Object.assign(schema.getType('StatusCode') as GraphQLScalarType, {
    parseValue: parse,
    parseLiteral: (ast: ValueNode) => parse(ast.kind === Kind.STRING || ast.kind === Kind.ENUM ? ast.value : undefined),
    serialize: (v: unknown) => v,
  });
  return schema;
}

interface Ctx {
  em: EntityManager;
  user: User;
  c: Container;
}

/** One request as StageIT's GraphQL node; list fields are loaded only when asked for. */
function node(ctx: Ctx, r: StagingRequest) {
  // Loaded once per node (surls and response share it), with only the columns they read.
  let loaded: Promise<Pick<StagedFile, 'source' | 'status' | 'errorCode' | 'errorMessage'>[]> | undefined;
  const files = () =>
    (loaded ??= ctx.em.find(
      StagedFile,
      { request: r.id },
      { orderBy: { seq: 'asc' }, fields: ['source', 'status', 'errorCode', 'errorMessage'] },
    ));
  const status = STAGEIT_STATUS[r.status as RequestStatus];
  return {
    id: String(r.number),
    requestToken: r.id,
    requestType: 'stage',
    when: r.createdAt.toISOString(),
    notify: r.notify,
    currentStatus: status.name,
    currentStatusCode: status.code,
    surls: async () => (await files()).map((f) => ({ surl: f.source })),
    response: async () => {
      const out: { progressing: string[]; online: string[]; errors: Record<string, string> } = {
        progressing: [],
        online: [],
        errors: {},
      };
      for (const f of await files()) {
        if (f.status === 'DONE' || f.status === 'SKIPPED') out.online.push(f.source);
        else if (f.status === 'FAILED' || f.status === 'CANCELLED')
          out.errors[f.source] = f.errorMessage ?? f.errorCode ?? 'failed';
        else out.progressing.push(f.source);
      }
      return JSON.stringify(out);
    },
    macaroons: async () => {
      if (r.method !== 'DCACHE_STAGE') return [];
      const rows = await ctx.c.services(ctx.em).macaroons.forRequest(r.id);
      return rows.map((m) => ({
        content: m.token,
        validUntil: m.validUntil.toISOString(),
        ltaSite: { name: ctx.c.sites.sites.find((s) => s.id === m.site)?.name ?? m.site },
      }));
    },
  };
}

const parseNumber = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 && n <= 2 ** 31 - 1 ? n : null;
};

/** The caller's own request with this number; everyone else's (admins' included) does not exist here. */
const ownRequest = (ctx: Ctx, id: unknown) => {
  const number = parseNumber(id);
  return number === null ? Promise.resolve(null) : ctx.em.findOne(StagingRequest, { number, owner: ctx.user.id });
};

const rootValue = {
  request: async (args: { id: string }, ctx: Ctx) => {
    const r = await ownRequest(ctx, args.id);
    if (!r) throw new GraphQLError('LTARequest matching query does not exist.');
    return node(ctx, r);
  },
  requests: async (
    args: { when_Gte?: string; when_Lte?: string; currentStatusCode?: string; currentStatusCode_Ne?: string },
    ctx: Ctx,
  ) => {
    const where: Record<string, unknown> = { owner: ctx.user.id };
    const createdAt: Record<string, Date> = {};
    for (const [key, op] of [
      ['when_Gte', '$gte'],
      ['when_Lte', '$lte'],
    ] as const) {
      const v = args[key];
      if (v === undefined || v === null) continue;
      // Python's datetime.isoformat() has no zone: read it as UTC. Year 1 (datetime.min) is before everything.
      const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
      if (Number.isNaN(t)) throw new GraphQLError(`${key} is not an ISO 8601 date and time: ${v}`);
      createdAt[op] = new Date(t);
    }
    if (Object.keys(createdAt).length) where.createdAt = createdAt;
    const status: Record<string, RequestStatus[]> = {};
    if (args.currentStatusCode) status.$in = STATUSES_OF_CODE(args.currentStatusCode);
    if (args.currentStatusCode_Ne) status.$nin = STATUSES_OF_CODE(args.currentStatusCode_Ne);
    if (Object.keys(status).length) where.status = status;
    const rows = await ctx.em.find(StagingRequest, where, { orderBy: { number: 'desc' }, limit: STAGEIT_REQUESTS_MAX });
    return { edges: rows.map((r) => ({ node: node(ctx, r) })) };
  },
};

/** Django REST framework's error shape. */
const detail = (res: Response, status: number, message: string, extra: Record<string, unknown> = {}) =>
  res.status(status).json({ detail: message, ...extra });

/**
 * LOFAR StageIT compatibility under `/stageit/api/staging/`, for the official `stager_access`
 * client: REST for adding, aborting and rescheduling requests and for WebDAV URLs, and a
 * graphene-style GraphQL endpoint for status, progress and macaroons. Requests are DCACHE_STAGE
 * requests made through the staging service; their `id` here is the request's sequential number.
 * Each user sees only their own requests.
 */
export function stageitRoutes(orm: MikroORM, c: Container, limits: MutationLimits): Router {
  const router = Router();
  const schema = stageitSchema();

  /** `Authorization: Token <api token>` (StageIT's form) or `Bearer <api token>`. */
  const authenticate = async (req: Request, res: Response, em: EntityManager): Promise<User | null> => {
    const header = req.headers.authorization;
    const token = typeof header === 'string' ? /^Token\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    const asBearer = token ? ({ headers: { authorization: `Bearer ${token}` } } as Request) : req;
    if (!header) {
      res.setHeader('WWW-Authenticate', 'Token');
      detail(res, 401, 'Authentication credentials were not provided.');
      return null;
    }
    const auth = await authenticateBearer(asBearer, c.services(em).tokens);
    if (auth.ok) return auth.user;
    if (auth.status === 401) res.setHeader('WWW-Authenticate', 'Token');
    detail(res, auth.status, auth.status === 401 ? 'Invalid token.' : auth.message);
    return null;
  };

  type Handler = (req: Request, res: Response, ctx: Ctx) => Promise<unknown>;
  /** `change`: the call changes something, and is charged to the user's mutation rate limit like a GraphQL mutation. */
  const route =
    (fn: Handler, opts: { change?: boolean } = {}) =>
    (req: Request, res: Response, next: express.NextFunction) =>
      void (async () => {
        const em = orm.em.fork();
        const user = await authenticate(req, res, em);
        if (!user) return;
        if (opts.change) {
          const refused = chargeCompatMutation(limits, user, res);
          if (refused) return detail(res, 429, refused.message, { code: 'RATE_LIMITED', retryAfter: refused.retryAfter });
        }
        await fn(req, res, { em, user, c });
      })().catch(next);

  const appError = (res: Response, e: unknown) => {
    if (!isAppError(e)) throw e;
    return detail(res, HTTP_STATUS[e.code] === 500 ? 500 : 400, e.message, { code: e.code, ...e.extensions });
  };

  const base = '/stageit/api/staging';
  // An empty or non-JSON body (the client sends `{}` even with GET) is treated as `{}`.
  const json = express.json({ limit: '5mb', strict: false, type: () => true });
  router.use(base, (req, res, next) => json(req, res, (err?: unknown) => (err ? detail(res, 400, 'JSON parse error.') : next())));

  router.post(
    `${base}/requests/`,
    route(
      async (req, res, ctx) => {
        const body = (req.body ?? {}) as { surls?: unknown; notify?: unknown; request_type?: unknown };
        if (!Array.isArray(body.surls) || body.surls.length === 0 || body.surls.some((s) => typeof s !== 'string'))
          return detail(res, 400, 'surls must be a non-empty list of SURLs.');
        if (body.request_type !== undefined && body.request_type !== 'stage')
          return detail(res, 400, `Unsupported request_type ${JSON.stringify(body.request_type)}: only "stage" is offered.`);
        if (body.notify !== undefined && typeof body.notify !== 'boolean')
          return detail(res, 400, 'notify must be true or false.');
        try {
          const r = await ctx.c.services(ctx.em).staging.stage(ctx.user, {
            method: 'DCACHE_STAGE',
            items: (body.surls as string[]).map((source) => ({ source, target: null })),
            notify: body.notify === true,
          });
          return res.status(201).json({ id: r.number });
        } catch (e) {
          return appError(res, e);
        }
      },
      { change: true },
    ),
  );

  router.put(
    `${base}/requests/:id/abort/`,
    route(
      async (req, res, ctx) => {
        const r = await ownRequest(ctx, req.params.id);
        if (!r) return detail(res, 404, 'Not found.');
        try {
          await ctx.c.services(ctx.em).staging.cancel(ctx.user, r.id);
        } catch (e) {
          if (isAppError(e) && e.code === 'NOT_CANCELLABLE') return detail(res, 409, e.message, { code: e.code });
          return appError(res, e);
        }
        return res.status(202).end();
      },
      { change: true },
    ),
  );

  router.patch(
    `${base}/requests/:id/`,
    route(
      async (req, res, ctx) => {
        const r = await ownRequest(ctx, req.params.id);
        if (!r) return detail(res, 404, 'Not found.');
        const code = (req.body as { current_status_code?: unknown } | null)?.current_status_code;
        if (code !== 'S')
          return detail(res, 400, 'Only {"current_status_code": "S"} (reschedule the failed files) can be changed.');
        try {
          const updated = await ctx.c.services(ctx.em).staging.retry(ctx.user, r.id);
          return res.json({ id: updated.number, current_status_code: STAGEIT_STATUS[updated.status as RequestStatus].code });
        } catch (e) {
          return appError(res, e);
        }
      },
      { change: true },
    ),
  );

  router.get(
    `${base}/requests/:id/convert2webdav/`,
    route(async (req, res, ctx) => {
      const r = await ownRequest(ctx, req.params.id);
      if (!r || r.method !== 'DCACHE_STAGE') return detail(res, 404, 'Not found.');
      const files = await ctx.em.find(StagedFile, { request: r.id }, { orderBy: { seq: 'asc' } });
      const urls = files.flatMap((f) => {
        if (f.accessUrl) return [f.accessUrl];
        const routed = routeSource(ctx.c.sites.sites, 'WEBDAV', f.source);
        if (!routed) return [];
        const site = routed.site as WebdavSiteConfig;
        return [webdavUrlOf(site, routed.path, !site.skipMacaroonForUsers.includes(ctx.user.username))];
      });
      return res.json(urls);
    }),
  );

  router.get(
    `${base}/requests/:id/convert2gridftp/`,
    route(async (_req, res) =>
      detail(res, 404, 'GridFTP is not offered: use the WebDAV URLs (convert2webdav) with the request’s macaroons.'),
    ),
  );

  router.post(
    `${base}/graphql/`,
    route(async (req, res, ctx) => {
      const body = (req.body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
      if (typeof body.query !== 'string' || body.query.length > 20_000)
        return res.status(400).json({ errors: [{ message: 'Must provide query string.' }] });
      const result = await graphql({
        schema,
        source: body.query,
        rootValue,
        contextValue: ctx,
        variableValues:
          body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : undefined,
        operationName: typeof body.operationName === 'string' ? body.operationName : undefined,
      });
      // Errors carry their message only (never a stack), as graphene answers them.
      const errors = result.errors?.map((e) => {
        if (e.originalError && !(e.originalError instanceof GraphQLError)) {
          ctx.c.logger.error({ err: e.originalError }, 'StageIT GraphQL resolver failed');
          return { message: 'Internal error.', path: e.path };
        }
        return { message: e.message, ...(e.locations ? { locations: e.locations } : {}), ...(e.path ? { path: e.path } : {}) };
      });
      return res.json({ ...(errors ? { errors } : {}), data: result.data ?? null });
    }),
  );

  // Anything else under the StageIT prefix is a JSON 404, never the web app.
  router.all('/stageit{/*rest}', (_req, res) => detail(res, 404, 'Not found.'));
  return router;
}
