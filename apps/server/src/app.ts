import http, { type IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import express from 'express';
import { execute, GraphQLError, getOperationAST, getVariableValues, NoSchemaIntrospectionCustomRule, parse, validate, specifiedRules, type ExecutionArgs, type GraphQLFormattedError } from 'graphql';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { WebSocketServer } from 'ws';
import { buildAppSchema } from './graphql/build-schema';
import type { Container } from './container';
import { buildContext, type GraphQLContext } from './graphql/context';
import { operationCostError, operationCostPlugin } from './graphql/cost';
import { createFormatError } from './graphql/format-error';
import { createSharedSubscribe } from './graphql/shared-subscriptions';
import { SocketAuthority } from './graphql/socket-authority';
import { subscriptionsOverWebSocketOnlyPlugin } from './graphql/websocket-only';
import { serveGraphqlWs } from './graphql/ws-server';
import { healthRoutes } from './http/health';
import { createMetrics, metricsEndpoint, type Metrics } from './http/metrics';
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
import { stageitRoutes } from './modules/compat/stageit.routes';
import { downloadRoutes } from './modules/downloads/downloads.routes';

/**
 * Largest WebSocket frame accepted (ws would take 100 MiB). A 10,000-item `stage` with 100-character
 * source and target paths is a 2.3 MB message; 4 MiB leaves room for longer or non-ASCII paths.
 */
export const WS_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/** Tokens one GraphQL document may hold, over HTTP and WebSocket alike (parsing stops there). */
const MAX_TOKENS = 5000;

/** What graphql-armor's blockFieldSuggestion does to HTTP errors, for the socket's own validation. */
const hideSuggestions = (message: string) => message.replace(/Did you mean ".+"/g, '[Suggestion hidden]');

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
  // Depth and alias limits, shared by HTTP and WebSocket operations; cost is graphql/cost.ts. The
  // token limit is graphql's own parse option (MAX_TOKENS), so both transports stop parsing at the
  // same token with the same message.
  const armor = new ApolloArmor({
    maxDepth: { n: 10 },
    maxAliases: { n: 15 },
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
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
  // With METRICS_PORT, /metrics lives on that ops listener only (main.ts); in production the user
  // port serves it only behind METRICS_TOKEN.
  if (config.metrics.onUserPort) app.get('/metrics', metricsEndpoint(metrics, config.metrics.token));
  app.use(auth.routes);

  // ---- GraphQL over WebSocket (graphql-ws) on the same path and port ----
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: WS_MAX_PAYLOAD_BYTES });
  // Sockets per client address (as Express sees it: TRUST_PROXY applies), so one client cannot
  // hold every file descriptor. Registered before graphql-ws's own handler.
  const socketsPerAddress = new Map<string, number>();
  wsServer.on('connection', (socket, request) => {
    const address = clientAddress(request);
    const count = (socketsPerAddress.get(address) ?? 0) + 1;
    socketsPerAddress.set(address, count);
    socket.once('close', () => {
      const left = (socketsPerAddress.get(address) ?? 1) - 1;
      if (left > 0) socketsPerAddress.set(address, left);
      else socketsPerAddress.delete(address);
    });
    if (count > config.webSocket.maxConnectionsPerAddress) socket.close(1008, 'Too many connections from this address');
  });
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
  // Express's own req.ip (proxy-addr with TRUST_PROXY) on the raw upgrade request.
  const clientAddress = (request: IncomingMessage) => String(Reflect.get(express.request, 'ip', Object.assign(Object.create(request) as object, { app })) ?? 'unknown');
  const operationContexts = new WeakMap<object, LogContext>();
  const operationContext = (args: ExecutionArgs) => operationContexts.get(args.contextValue as object) ?? {};
  const inOperationContext =
    <C extends { extra: { request: IncomingMessage } }, P, R>(fn: (ctx: C, id: string, payload: P) => Promise<R>) =>
    (ctx: C, id: string, payload: P) =>
      runWithLogContext({ requestId: socketRequestId(ctx.extra.request), operationId: id }, () => fn(ctx, id, payload));
  // Open sockets stay within their user's current authority (sign-out, demotion, revoked token).
  const authority = new SocketAuthority(container.authEpochs, logger.child({ module: 'graphql-ws' }));
  const stopEpochs = container.authEpochs.listen();
  authority.start();
  const sharedSubscribe = createSharedSubscribe({
    fields: ['logAppended'],
    viewerKey: (c) => {
      const user = (c as GraphQLContext).viewer?.user;
      return user ? `${user.id}/${user.role}/${user.status}` : null;
    },
  });
  // GRAPHQL_INTROSPECTION=false must hold on the socket too (Apollo only guards HTTP).
  const validationRules = [...specifiedRules, ...armor.validationRules, ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const wsCleanup = serveGraphqlWs<{ authorization?: unknown }>(
    {
      schema,
      // Watchers of the same log share one execution per entry (bench logs-100); each still
      // passes the field's own access checks when it subscribes.
      subscribe: (args) =>
        runWithLogContext(operationContext(args), async () => {
          const result = await sharedSubscribe(args);
          return Symbol.asyncIterator in result ? iterateInLogContext(operationContext(args), authority.guard(result, args)) : result;
        }),
      execute: (args) => runWithLogContext(operationContext(args), () => execute(args)),
      // Cookie-authenticated sockets must come from our own origin (cross-site WebSocket hijacking).
      onConnect: (ctx) => runWithLogContext({ requestId: socketRequestId(ctx.extra.request) }, () => auth.acceptSocket(ctx.extra.request, ctx.connectionParams)),
      onSubscribe: inOperationContext(async (ctx, _id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        let document;
        try {
          document = parse(payload.query, { maxTokens: MAX_TOKENS });
        } catch (e) {
          return [new GraphQLError((e as Error).message, { extensions: { code: 'BAD_USER_INPUT' } })];
        }
        const errors = validate(schema, document, validationRules);
        if (errors.length > 0) {
          return errors.map((e) => new GraphQLError(config.isProduction ? hideSuggestions(e.message) : e.message, { extensions: { code: 'BAD_USER_INPUT' } }));
        }
        // What Apollo checks before running an operation over HTTP, with its messages: which
        // operation to run, and variables of the declared types.
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) {
          const message = payload.operationName ? `Unknown operation named "${payload.operationName}".` : 'Must provide operation name if query contains multiple operations.';
          return [new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } })];
        }
        const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 50 });
        if (coerced.errors) return coerced.errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'BAD_USER_INPUT' } }));
        const costError = operationCostError(schema, document, payload.operationName, payload.variables);
        if (costError) return [costError];
        let contextValue: GraphQLContext;
        try {
          // The socket's token or session is checked again for every operation (it may have been
          // revoked, signed out or expired since the socket opened).
          const rebuild = async () => {
            const em = orm.em.fork();
            const sessionUser = await auth.socketUser(ctx.extra.request, ctx.connectionParams, em);
            return buildContext(em, container, ctx.connectionParams?.authorization, sessionUser);
          };
          contextValue = await rebuild();
          authority.register(ctx.extra.socket, contextValue, rebuild);
          // Anyone may open a socket: without a user, only a few operations at once (this one included).
          if (!contextValue.viewer?.user && Object.keys(ctx.subscriptions).length > config.webSocket.maxAnonymousOperations) {
            return [new GraphQLError('Too many operations at once on this connection; wait for some to finish or sign in.', { extensions: { code: 'RATE_LIMITED' } })];
          }
          if (operation.operation === 'mutation') auth.limitMutation(contextValue.viewer, mutationCost(document, operation, payload.variables ?? undefined));
        } catch (e) {
          if (isAppError(e)) return [e.toGraphQLError()];
          throw e;
        }
        operationContexts.set(contextValue, currentLogContext()!);
        return { schema, document, variableValues: payload.variables, operationName: payload.operationName, contextValue };
      }),
      // Errors that end an operation (refusals before it runs, a subscription's stream failing)
      // leave through the same formatter as everything else: a code, never an internal message.
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors) return;
        const errors: GraphQLFormattedError[] = runWithLogContext(operationContext(args), () => result.errors!.map((e) => formatError(e.toJSON(), e)));
        return { ...result, errors };
      },
    },
    wsServer,
    logger.child({ module: 'graphql-ws' }),
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
    parseOptions: { maxTokens: MAX_TOKENS },
    validationRules: armor.validationRules,
    plugins: [
      ...armor.plugins,
      subscriptionsOverWebSocketOnlyPlugin<GraphQLContext>(),
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
  app.use(stageitRoutes(orm, container, auth)); // LOFAR StageIT compatibility: /stageit/api/staging/
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
      authority.stop();
      await stopEpochs();
      for (const client of wsServer.clients) client.close(1001, 'server shutting down');
      // Keep-alive sockets with no request in flight would hold the drain for its whole grace period.
      httpServer.closeIdleConnections();
      await apollo.stop();
      httpServer.closeAllConnections();
      await auth.close();
    },
  };
}
