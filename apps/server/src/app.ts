import http, { type IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import express from 'express';
import { execute, GraphQLError, getOperationAST, NoSchemaIntrospectionCustomRule, parse, validate, specifiedRules, type ExecutionArgs, type GraphQLFormattedError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { WebSocketServer } from 'ws';
import { buildAppSchema } from './graphql/build-schema';
import type { Container } from './container';
import { buildContext, type GraphQLContext } from './graphql/context';
import { operationCostError, operationCostPlugin } from './graphql/cost';
import { createFormatError } from './graphql/format-error';
import { createSharedSubscribe } from './graphql/shared-subscriptions';
import { healthRoutes } from './http/health';
import { createMetrics, type Metrics } from './http/metrics';
import { explorerRoutes, webRoutes } from './http/web';
import { AppError, HTTP_STATUS, isAppError } from './lib/errors';
import { currentLogContext, iterateInLogContext, requestIdFrom, runWithLogContext, type LogContext } from './lib/log-context';
import { createAuth } from './modules/auth/auth';
import { mutationCost, mutationRateLimitPlugin } from './modules/auth/rate-limit';
import { DEV_IDP_PATH } from './modules/auth/dev-idp';
import { cartRoutes } from './modules/compat/carts.routes';
import { cartdApp } from './modules/compat/carts.routes';
import { serviceXRoutes } from './modules/compat/servicex.routes';
import { slackRoutes } from './modules/compat/slack.routes';
import { skaoRoutes } from './modules/compat/skao.routes';
import { downloadRoutes } from './modules/downloads/downloads.routes';

export interface AppDeps {
  container: Container;
  /** Override the built web app's folder (tests). */
  webDist?: string;
  /** The process's metrics registry (main shares it with the job runner); a fresh one otherwise. */
  metrics?: Metrics;
}

export interface App {
  readonly httpServer: http.Server;
  /** Starts listening; resolves with the bound port. */
  listen(port: number, host: string): Promise<number>;
  /** Drains HTTP and WebSocket connections, then stops Apollo. */
  close(): Promise<void>;
  /** Lines telling a person how to sign in (start-up banner; call after listen). */
  signInHelp(): string[];
}

/** Builds the HTTP server (Express + Apollo + graphql-ws on the same path) without listening. */
export async function createApp(deps: AppDeps): Promise<App> {
  const { container } = deps;
  const { orm } = container;
  const { config, logger } = container;
  const schema = await buildAppSchema();
  const formatError = createFormatError(logger);
  // Depth, alias and token limits, shared by HTTP and WebSocket operations; cost is graphql/cost.ts.
  const armor = new ApolloArmor({
    maxDepth: { n: 10 },
    maxAliases: { n: 15 },
    costLimit: { enabled: false },
    maxTokens: { n: 5000 },
    blockFieldSuggestion: { enabled: config.isProduction },
  }).protect();

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  const httpServer = http.createServer(app);
  const metrics = deps.metrics ?? createMetrics();
  // Identity and access (modules/auth): sessions, OIDC routes, dev IdP, CSRF, rate limits.
  const auth = await createAuth({ orm, container });

  // Every line logged while handling a request carries its id (and the user's, once known); the
  // completion line may be written after the request's async context is gone (a client hanging up),
  // so it takes the request's context from here.
  const requestContexts = new WeakMap<IncomingMessage, LogContext>();
  const withRequestContext = <T extends object>(req: IncomingMessage, fields: T) => ({ ...requestContexts.get(req), ...fields });
  app.use(
    pinoHttp({
      logger: logger.child({ module: 'http' }),
      autoLogging: { ignore: (req) => ['/healthz', '/readyz', '/metrics'].includes(req.url ?? '') },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      // Only method and path: query strings may carry download tokens.
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0]?.replace(/^\/download\/.+/, '/download/[token]') }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // Echoed, so a client (or proxy) can quote it when reporting a problem.
      genReqId: (req, res) => {
        const id = requestIdFrom(req.headers['x-request-id']);
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customSuccessObject: (req, _res, fields) => withRequestContext(req, fields),
      customErrorObject: (req, _res, _err, fields) => withRequestContext(req, fields),
    }),
  );
  app.use((req, _res, next) =>
    runWithLogContext({ requestId: String(req.id) }, () => {
      requestContexts.set(req, currentLogContext()!);
      next();
    }),
  );
  app.use(metrics.middleware);
  // The development IdP renders its own pages (oidc-provider); mounted before the app's CSP.
  if (auth.devIdp) app.use(DEV_IDP_PATH, auth.devIdp);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // Mantine injects <style> tags at run time.
          'style-src': ["'self'", "'unsafe-inline'"],
          'connect-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
        },
      },
      // Plain http on loopback in development: do not pin browsers to https.
      strictTransportSecurity: config.publicUrl.startsWith('https://'),
    }),
  );

  app.use(healthRoutes(orm));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(auth.routes);

  // ---- GraphQL over WebSocket (graphql-ws) on the same path and port ----
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  // A socket's lines carry its upgrade request's id (echoed like HTTP's), each operation's also
  // its id and user. graphql-ws runs execute/subscribe outside any context of ours, so the
  // operation's context is kept by its contextValue and entered around them.
  const socketRequestIds = new WeakMap<IncomingMessage, string>();
  const socketRequestId = (request: IncomingMessage) => {
    let id = socketRequestIds.get(request);
    if (!id) socketRequestIds.set(request, (id = requestIdFrom(request.headers['x-request-id'])));
    return id;
  };
  wsServer.on('headers', (headers, request) => headers.push(`X-Request-Id: ${socketRequestId(request)}`));
  const operationContexts = new WeakMap<object, LogContext>();
  const operationContext = (args: ExecutionArgs) => operationContexts.get(args.contextValue as object) ?? {};
  const inOperationContext =
    <C extends { extra: { request: IncomingMessage } }, P, R>(fn: (ctx: C, id: string, payload: P) => Promise<R>) =>
    (ctx: C, id: string, payload: P) =>
      runWithLogContext({ requestId: socketRequestId(ctx.extra.request), operationId: id }, () => fn(ctx, id, payload));
  const sharedSubscribe = createSharedSubscribe({
    fields: ['logAppended'],
    viewerKey: (c) => {
      const user = (c as GraphQLContext).viewer?.user;
      return user ? `${user.id}/${user.role}/${user.status}` : null;
    },
  });
  // GRAPHQL_INTROSPECTION=false must hold on the socket too (Apollo only guards HTTP).
  const validationRules = [...specifiedRules, ...armor.validationRules, ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const wsCleanup = useServer<{ authorization?: unknown }>(
    {
      schema,
      // Watchers of the same log share one execution per entry (bench logs-100); each still
      // passes the field's own access checks when it subscribes.
      subscribe: (args) =>
        runWithLogContext(operationContext(args), async () => {
          const result = await sharedSubscribe(args);
          return Symbol.asyncIterator in result ? iterateInLogContext(operationContext(args), result) : result;
        }),
      execute: (args) => runWithLogContext(operationContext(args), () => execute(args)),
      // Cookie-authenticated sockets must come from our own origin (cross-site WebSocket hijacking).
      onConnect: (ctx) => runWithLogContext({ requestId: socketRequestId(ctx.extra.request) }, () => auth.acceptSocket(ctx.extra.request, ctx.connectionParams)),
      onSubscribe: inOperationContext(async (ctx, _id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        let document;
        try {
          document = parse(payload.query);
        } catch (e) {
          return [new GraphQLError((e as Error).message, { extensions: { code: 'BAD_USER_INPUT' } })];
        }
        const errors = validate(schema, document, validationRules);
        if (errors.length > 0) return errors.map((e) => new GraphQLError(e.message, { extensions: { code: 'BAD_USER_INPUT' } }));
        const costError = operationCostError(schema, document, payload.operationName, payload.variables);
        if (costError) return [costError];
        let contextValue: GraphQLContext;
        try {
          const em = orm.em.fork();
          const sessionUser = await auth.socketUser(ctx.extra.request, ctx.connectionParams, em);
          contextValue = await buildContext(em, container, ctx.connectionParams?.authorization, sessionUser);
          const operation = getOperationAST(document, payload.operationName);
          if (operation?.operation === 'mutation') auth.limitMutation(contextValue.viewer, mutationCost(document, operation, payload.variables ?? undefined));
        } catch (e) {
          if (isAppError(e)) return [e.toGraphQLError()];
          throw e;
        }
        operationContexts.set(contextValue, currentLogContext()!);
        return { schema, document, variableValues: payload.variables, operationName: payload.operationName, contextValue };
      }),
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors) return;
        const errors: GraphQLFormattedError[] = runWithLogContext(operationContext(args), () => result.errors!.map((e) => formatError(e.toJSON(), e)));
        return { ...result, errors };
      },
    },
    wsServer,
  );

  // ---- GraphQL over HTTP ----
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError,
    introspection: config.introspection,
    // Refuses "simple" cross-site requests (form posts) — the CSRF guard for cookie sessions.
    csrfPrevention: true,
    // main.ts owns the signals: it drains HTTP, then the job runner, then the database, in order.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    validationRules: armor.validationRules,
    plugins: [
      ...armor.plugins,
      operationCostPlugin<GraphQLContext>(),
      ApolloServerPluginLandingPageDisabled(),
      mutationRateLimitPlugin<GraphQLContext>({ limit: (viewer, cost) => auth.limitMutation(viewer, cost), status: (viewer) => auth.mutationStatus(viewer) }),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: async () => void (await wsCleanup.dispose()) }) },
    ],
  });
  await apollo.start();
  // Before Apollo: a browser's GET /graphql gets the explorer (its landing page stays disabled).
  if (config.explorer) app.use(explorerRoutes(deps.webDist));
  app.use(
    '/graphql',
    express.json({ limit: '10mb' }),
    ...auth.graphqlGuard,
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        try {
          const em = orm.em.fork();
          return await buildContext(em, container, req.headers.authorization, await auth.sessionUser(req, em));
        } catch (e) {
          // Errors thrown while building the context bypass formatError: surface the code here,
          // with the matching HTTP status (401 for a bad token) instead of Apollo's default 500.
          if (isAppError(e)) throw new GraphQLError(e.message, { extensions: { code: e.code, http: { status: HTTP_STATUS[e.code] } } });
          throw e;
        }
      },
    }),
  );

  app.use(downloadRoutes(orm, container));
  app.use(skaoRoutes(orm, container, auth)); // SKAO compatibility: /stage-data/ (and /stage_data), /logs/, /config/, /create-file/
  app.use(cartRoutes(orm, container, auth)); // Pacifica cartd compatibility: /carts/:uid
  app.use(serviceXRoutes(orm, container, auth)); // ServiceX user management: /users, /pending, /accept
  app.use(slackRoutes(orm, container, auth)); // Slack Approve/Reject buttons: POST /slack
  app.use(webRoutes(deps.webDist));

  // Pacifica cartd's API at the root of its own port (CARTD_PORT), listening and closing with the main one.
  const cartd = config.cartdPort === undefined ? null : http.createServer(cartdApp(orm, container, auth));
  if (cartd) {
    cartd.on('error', (err) => logger.error({ err, port: config.cartdPort }, 'the cartd port (CARTD_PORT) could not be opened; /carts/<uid> still works on PORT'));
    httpServer.once('listening', () => cartd.listen(config.cartdPort, (httpServer.address() as { address: string }).address));
    httpServer.once('close', () => {
      cartd.closeAllConnections();
      cartd.close();
    });
  }

  // Last resort: a JSON error without a stack trace.
  app.use((err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    const status = (err as { status?: number }).status ?? 500;
    if (status >= 500) logger.error({ err }, 'unhandled HTTP error');
    const e = isAppError(err) ? err : new AppError(status < 500 ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR', status < 500 ? 'Bad request.' : 'Internal error.');
    res.status(status).json({ error: { code: e.code, message: e.message } });
  });

  return {
    httpServer,
    signInHelp: () => auth.describe(),
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const bound = (httpServer.address() as { port: number }).port;
          auth.listening(bound);
          resolve(bound);
        });
      }),
    close: async () => {
      for (const client of wsServer.clients) client.close(1001, 'server shutting down');
      // Keep-alive sockets with no request in flight would hold the drain for its whole grace period.
      httpServer.closeIdleConnections();
      await apollo.stop();
      httpServer.closeAllConnections();
      await auth.close();
    },
  };
}
