import type { IncomingMessage } from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import connectPgSimple from 'connect-pg-simple';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import session from 'express-session';
import * as client from 'openid-client';
import { Strategy, type VerifyFunction } from 'openid-client/passport';
import passport from 'passport';
import pg from 'pg';
import type { Container } from '../../container';
import { isAppError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import { addLogContext } from '../../lib/log-context';
import { loadOrCreateSecret } from '../../lib/secrets';
import { User } from '../users/user.entity';
import { createDevIdp, DEV_IDP_ISSUER_KEY, DEV_IDP_PATH, DevDirectory, type DevIdp } from './dev-idp';
import { httpRateLimit, limitMutation, mutationStatus, RateLimiter, type RateLimitStatus } from './rate-limit';
import { bearerSecret, type Viewer } from './viewer';
import { identityFromClaims, SignInService } from './sign-in.service';

/** The header our web app sends on every POST; a cross-site form or <img> cannot set it. */
export const CSRF_HEADER = 'x-stagecoach-csrf';
export const SESSION_COOKIE = 'stagecoach.sid';
export const SESSIONS_TABLE = 'http_sessions';
const STRATEGY = 'oidc';

declare module 'express-session' {
  interface SessionData {
    /** Where to go after the callback (a same-origin path). */
    returnTo?: string;
    /** Kept for RP-initiated logout (`id_token_hint`). */
    idToken?: string;
    passport?: { user?: string };
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface User {
      id: string;
      idToken?: string;
    }
  }
}

export interface AuthDeps {
  orm: MikroORM;
  container: Container;
}

export interface Auth {
  /** The development IdP's router (mount at DEV_IDP_PATH, before helmet), or null with a real IdP. */
  readonly devIdp: express.Router | null;
  /** `/auth/login`, `/auth/callback`, `/auth/logout`. */
  readonly routes: express.Router;
  /** Session + CSRF guard for `/graphql` over HTTP (put before Apollo's middleware). */
  readonly graphqlGuard: RequestHandler[];
  /** The signed-in user of an HTTP GraphQL request (null for bearer-token or anonymous requests). */
  sessionUser(req: Request, em: EntityManager): Promise<User | null>;
  /** graphql-ws `onConnect`: refuses cookie-authenticated sockets from another origin (cross-site WebSocket hijacking). */
  acceptSocket(request: IncomingMessage, connectionParams: Readonly<Record<string, unknown>> | undefined): Promise<boolean>;
  /** The signed-in user of a WebSocket (resolved from the upgrade request's cookie; null with a bearer token). */
  socketUser(
    request: IncomingMessage,
    connectionParams: Readonly<Record<string, unknown>> | undefined,
    em: EntityManager,
  ): Promise<User | null>;
  /** Charges `cost` mutation fields to the viewer (HTTP and WebSocket); throws RATE_LIMITED when over the limit. */
  limitMutation(viewer: Viewer | null, cost: number): void;
  /** The viewer's mutation budget, taking nothing (null for anonymous callers). */
  mutationStatus(viewer: Viewer | null): RateLimitStatus | null;
  /** Tells the module the bound port (PORT=0 in tests → PUBLIC_URL and the dev IdP issuer follow it). */
  listening(port: number): void;
  /** How to sign in, for the start-up banner. */
  describe(): string[];
  close(): Promise<void>;
}

/** Only same-origin paths: `/requests/1` yes; `//evil.example`, `https://…`, `/\evil` no. */
export function safeReturnTo(v: unknown): string | undefined {
  return typeof v === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(v) && v.length < 500 ? v : undefined;
}

/**
 * Identity and access over HTTP: OIDC sign-in (passport + openid-client, code flow with PKCE),
 * PostgreSQL-backed sessions, the development IdP when no issuer is configured, CSRF and
 * WebSocket-origin checks for cookie sessions, and rate limits.
 */
export async function createAuth({ orm, container }: AuthDeps): Promise<Auth> {
  const { config, logger, clock } = container;
  const log = logger.child({ module: 'auth' });
  let publicUrl = config.publicUrl;
  let localBase: string | undefined;
  const https = publicUrl.startsWith('https://');
  const secret = config.sessionSecret ?? (await loadOrCreateSecret(config.dataDir, 'session')).toString('base64url');

  // ---- sessions in PostgreSQL (table from the migration; never created at run time) ----
  const pool = new pg.Pool({ connectionString: orm.config.get('clientUrl'), max: 4 });
  pool.on('error', (err) => log.warn({ err }, 'session store connection error'));
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool,
    tableName: SESSIONS_TABLE,
    createTableIfMissing: false,
    // No write per request: a session lives SESSION_TTL from sign-in, then the user signs in again.
    disableTouch: true,
    pruneSessionInterval: 15 * 60,
    errorLog: (...args: unknown[]) => log.error({ detail: args.map(String).join(' ') }, 'session store error'),
  });
  const sessionMiddleware = session({
    name: SESSION_COOKIE,
    secret,
    store,
    resave: false,
    saveUninitialized: false,
    unset: 'destroy',
    // Behind a TLS-terminating proxy the app sees http; trust X-Forwarded-Proto for the Secure cookie.
    proxy: https ? true : undefined,
    cookie: { httpOnly: true, sameSite: 'lax', secure: https, maxAge: config.sessionTtlMs, path: '/' },
  });

  // ---- the identity provider: configured issuer, or the in-process development IdP ----
  // Config refuses this already; a second lock on the door that must never open in production.
  if (!config.oidc && config.isProduction) throw new Error('the development IdP is refused in production: set OIDC_ISSUER');
  const devDirectory = config.oidc ? null : await DevDirectory.load(config.devIdpUsersFile);
  let devIdp: Promise<DevIdp> | undefined;
  const devIssuer = () => `${publicUrl}${DEV_IDP_PATH}`;
  const getDevIdp = () =>
    (devIdp ??= createDevIdp({
      issuer: devIssuer(),
      redirectUri: `${publicUrl}/auth/callback`,
      postLogoutRedirectUri: `${publicUrl}/`,
      secret,
      dataDir: config.dataDir,
      directory: devDirectory!,
      behindTls: https,
    }));
  if (!config.oidc) {
    log.warn(
      { issuer: devIssuer(), usersFile: config.devIdpUsersFile ?? 'fixtures/oidc/users.json' },
      'OIDC_ISSUER is not set: using the BUILT-IN DEVELOPMENT IdP (any login accepted, no passwords). Never use this in production.',
    );
  }
  const devRouter = express.Router();
  devRouter.use((req, res, next) => {
    getDevIdp().then((idp) => idp.router(req, res, next), next);
  });

  /** Calls to the in-process IdP go straight to our own socket (PUBLIC_URL may be a proxy this host cannot reach). */
  const devFetch: client.CustomFetch = (url, options) => {
    const target = localBase && url.startsWith(publicUrl) ? localBase + url.slice(publicUrl.length) : url;
    const headers = new Headers(options.headers);
    if (target !== url && https) headers.set('x-forwarded-proto', 'https');
    return fetch(target, { ...options, headers } as RequestInit);
  };

  let discovered: Promise<{ oidc: client.Configuration; issuerKey: string; authenticator: passport.Authenticator }> | undefined;
  const oidcSetup = () =>
    (discovered ??= (async () => {
      let oidc: client.Configuration;
      let issuerKey: string;
      if (config.oidc) {
        const { issuer, clientId, clientSecret } = config.oidc;
        const insecure = new URL(issuer).protocol === 'http:';
        if (insecure && config.isProduction) throw new Error('OIDC_ISSUER must use https in production');
        oidc = await client.discovery(new URL(issuer), clientId, clientSecret, clientSecret ? undefined : client.None(), {
          execute: insecure ? [client.allowInsecureRequests] : [],
          timeout: 10, // seconds
        });
        issuerKey = oidc.serverMetadata().issuer;
      } else {
        const idp = await getDevIdp();
        oidc = await client.discovery(new URL(devIssuer()), idp.clientId, idp.clientSecret, undefined, {
          execute: publicUrl.startsWith('http:') ? [client.allowInsecureRequests] : [],
          [client.customFetch]: devFetch,
        });
        issuerKey = DEV_IDP_ISSUER_KEY;
      }
      const verify: VerifyFunction = (tokens, done) => {
        void (async () => {
          const sub = tokens.claims()?.sub;
          if (!sub) return done(null, false, { message: 'no id token' });
          const claims = await client.fetchUserInfo(oidc, tokens.access_token, sub);
          const identity = identityFromClaims(issuerKey, claims as Record<string, unknown>);
          const provisioning = devDirectory ? (id: { subject: string }) => devDirectory.provisioning(id.subject) : undefined;
          try {
            const user = await new SignInService(orm.em.fork(), container, provisioning).signIn(identity);
            done(null, { id: user.id, idToken: tokens.id_token });
          } catch (e) {
            if (isAppError(e)) return done(null, false, { message: e.message, code: e.code } as never);
            throw e;
          }
        })().catch((e: unknown) => done(e));
      };
      const authenticator = new passport.Passport();
      authenticator.use(
        STRATEGY,
        new Strategy(
          {
            config: oidc,
            scope: config.oidcScopes,
            callbackURL: `${publicUrl}/auth/callback`,
            name: STRATEGY,
            sessionKey: 'oidc',
          },
          verify,
        ),
      );
      // Only the user id lives in the session; every request reloads the user (status changes apply at once).
      authenticator.serializeUser((user, done) => done(null, user.id));
      authenticator.deserializeUser((id: string, done) => done(null, { id }));
      log.info({ issuer: oidc.serverMetadata().issuer }, 'OIDC issuer discovered');
      return { oidc, issuerKey, authenticator };
    })().catch((e: unknown) => {
      discovered = undefined; // try again on the next sign-in
      throw e;
    }));

  const idpUnavailable = (res: Response, e: unknown) => {
    log.error({ err: e }, 'OIDC issuer unavailable');
    res
      .status(503)
      .type('text')
      .send('The sign-in service (identity provider) is unavailable right now. Please try again in a minute.');
  };

  // ---- /auth routes ----
  const routes = express.Router();
  const loginLimiter = new RateLimiter(
    { perMinute: config.rateLimits.loginsPerMinute, burst: config.rateLimits.loginsPerMinute },
    () => clock.now().getTime(),
  );
  routes.use('/auth', sessionMiddleware, (req, _res, next) => {
    addLogContext({ userId: req.session.passport?.user });
    next();
  });
  routes.get('/auth/login', httpRateLimit(loginLimiter, 'login'), async (req, res, next) => {
    let setup;
    try {
      setup = await oidcSetup();
    } catch (e) {
      return idpUnavailable(res, e);
    }
    req.session.returnTo = safeReturnTo(req.query.returnTo);
    setup.authenticator.authenticate(STRATEGY)(req, res, next);
  });
  routes.get('/auth/callback', async (req, res, next) => {
    let setup;
    try {
      setup = await oidcSetup();
    } catch (e) {
      return idpUnavailable(res, e);
    }
    const returnTo = req.session.returnTo ?? '/';
    setup.authenticator.authenticate(
      STRATEGY,
      (err: unknown, user: Express.User | false, info: { message?: string; code?: string } | undefined) => {
        if (err) {
          log.error({ err }, 'sign-in failed');
          return res.redirect(303, '/?loginError=failed');
        }
        if (!user) {
          log.warn({ reason: info?.message }, 'sign-in refused');
          return res.redirect(303, `/?loginError=${encodeURIComponent(info?.code ?? 'denied')}`);
        }
        addLogContext({ userId: user.id });
        // logIn regenerates the session id (no session fixation); only then is the id token stored.
        req.logIn(user, (e: unknown) => {
          if (e) return next(e);
          req.session.idToken = user.idToken;
          // Saved before redirecting: express-session would save at the response's end, after the
          // headers went out, so a sign-out right after the redirect could read the session without
          // the id token and skip the IdP's logout.
          req.session.save((saveErr: unknown) => (saveErr ? next(saveErr) : res.redirect(303, returnTo)));
        });
      },
    )(req, res, next);
  });
  routes.post('/auth/logout', async (req, res, next) => {
    // A cross-site form could log people out; require our header or a same-origin form post.
    const origin = req.get('origin');
    if (!req.get(CSRF_HEADER) && origin !== new URL(publicUrl).origin) {
      res
        .status(403)
        .json({ error: { code: 'FORBIDDEN', message: `Send the ${CSRF_HEADER} header (or post from ${publicUrl}).` } });
      return;
    }
    const idToken = req.session.idToken;
    let redirectTo = '/';
    if (idToken) {
      try {
        const { oidc } = await oidcSetup();
        if (oidc.serverMetadata().end_session_endpoint) {
          redirectTo = client.buildEndSessionUrl(oidc, {
            id_token_hint: idToken,
            post_logout_redirect_uri: `${publicUrl}/`,
          }).href;
        }
      } catch (e) {
        log.warn({ err: e }, 'cannot build the IdP logout URL; signing out locally only');
      }
    }
    const userId = req.session.passport?.user;
    req.session.destroy((err: unknown) => {
      if (err) return next(err);
      // The user's other tabs and scripts on sockets signed in with this session stop here.
      if (userId) container.authEpochs.bump(userId);
      res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: https });
      // A form post navigates to the IdP's logout; the web app's fetch gets JSON and navigates itself.
      if (req.accepts(['json', 'html']) === 'html') res.redirect(303, redirectTo);
      else res.json({ redirectTo });
    });
  });

  // ---- GraphQL over HTTP: session (unless a bearer token is sent) + CSRF header ----
  const graphqlGuard: RequestHandler[] = [
    (req, res, next) => (bearerSecret(req.headers.authorization) !== undefined ? next() : sessionMiddleware(req, res, next)),
    (req, res, next) => {
      if (!req.session?.passport?.user || req.get(CSRF_HEADER)) return next();
      res
        .status(403)
        .json({
          errors: [
            { message: `Cookie-authenticated requests must send the ${CSRF_HEADER} header.`, extensions: { code: 'FORBIDDEN' } },
          ],
        });
    },
  ];

  const loadUser = async (em: EntityManager, id: string | undefined) => (id && isUuid(id) ? em.findOne(User, { id }) : null);
  // The session id a socket's upgrade request carried (undefined: it had no signed-in session).
  const socketSessions = new WeakMap<IncomingMessage, Promise<string | undefined>>();
  const socketSessionId = (request: IncomingMessage) => {
    let p = socketSessions.get(request);
    if (!p) {
      // express-session on the upgrade request (no response exists; the session is only read).
      p = new Promise((resolve) => {
        const req = request as Request;
        sessionMiddleware(
          req,
          {} as Response,
          (() => resolve(req.session?.passport?.user ? req.sessionID : undefined)) as NextFunction,
        );
      });
      socketSessions.set(request, p);
    }
    return p;
  };
  // Read again for every operation: a socket must not outlive its session (sign-out, expiry).
  const socketSessionUserId = async (request: IncomingMessage): Promise<string | undefined> => {
    const sid = await socketSessionId(request);
    if (!sid) return undefined;
    return new Promise((resolve) =>
      store.get(sid, (err: unknown, sess?: session.SessionData | null) => {
        if (err) log.warn({ err }, 'cannot read the session of a WebSocket; treating it as signed out');
        resolve(err ? undefined : sess?.passport?.user);
      }),
    );
  };
  const usesBearer = (params: Readonly<Record<string, unknown>> | undefined) => bearerSecret(params?.authorization) !== undefined;

  const mutationLimiter = new RateLimiter(
    { perMinute: config.rateLimits.mutationsPerMinute, burst: config.rateLimits.mutationBurst },
    () => clock.now().getTime(),
  );

  return {
    devIdp: config.oidc ? null : devRouter,
    routes,
    graphqlGuard,
    async sessionUser(req, em) {
      if (bearerSecret(req.headers.authorization) !== undefined) return null;
      return loadUser(em, req.session?.passport?.user);
    },
    async acceptSocket(request, params) {
      if (usesBearer(params)) return true;
      const userId = await socketSessionUserId(request);
      if (!userId) return true;
      const ok = request.headers.origin === new URL(publicUrl).origin;
      if (!ok) log.warn({ origin: request.headers.origin }, 'refused a cookie-authenticated WebSocket from another origin');
      return ok;
    },
    async socketUser(request, params, em) {
      if (usesBearer(params)) return null;
      return loadUser(em, await socketSessionUserId(request));
    },
    limitMutation: (viewer, cost) => limitMutation(mutationLimiter, viewer, cost),
    mutationStatus: (viewer) => mutationStatus(mutationLimiter, viewer),
    listening(port) {
      if (/:0$/.test(config.publicUrl)) publicUrl = config.publicUrl.replace(/:0$/, `:${port}`);
      const host = ['0.0.0.0', '::', ''].includes(config.host)
        ? '127.0.0.1'
        : config.host.includes(':')
          ? `[${config.host}]`
          : config.host;
      localBase = `http://${host}:${port}`;
    },
    describe() {
      if (config.oidc) return [`  Sign in: ${publicUrl}/auth/login (OIDC issuer ${config.oidc.issuer})`];
      return [
        `  Sign in: ${publicUrl}/auth/login  — DEVELOPMENT IdP (OIDC_ISSUER unset; any password):`,
        ...devDirectory!.users.map((u) => `    ${u.login.padEnd(26)} ${u.description ?? ''}`),
        '    any other login            a new person, waiting for an administrator to approve them',
      ];
    },
    async close() {
      await store.close(); // stops pruning; the pool is ours to end
      await pool.end();
    },
  };
}
