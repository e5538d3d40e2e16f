import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response, type NextFunction, type Router } from 'express';

import { WEB_DIST } from '../lib/paths';

const API_PREFIXES = ['/graphql', '/auth', '/download', '/healthz', '/readyz', '/metrics'];

const EXPLORER_PAGE = 'graphiql.html';

/**
 * The API explorer (GraphiQL, built with the web app): `/graphiql`, and `GET /graphql` when the
 * client prefers HTML (a browser); GraphQL clients, which accept JSON or anything, go on to Apollo.
 */
export function explorerRoutes(dist = WEB_DIST): Router {
  const router = express.Router();
  const page = path.join(dist, EXPLORER_PAGE);
  router.get(['/graphql', '/graphiql'], (req: Request, res: Response, next: NextFunction) => {
    if (req.path === '/graphql' && req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) !== 'text/html') return next();
    if (!existsSync(page)) {
      res.status(503).type('text/plain').send('The API explorer is not built yet: run `npm start` (or `pnpm build`).');
      return;
    }
    // The same URL answers JSON to other clients: caches must keep the two apart.
    res.setHeader('Vary', 'Accept');
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(page);
  });
  return router;
}

/** Serves the web app with an SPA fallback: any other GET answers index.html. */
export function webRoutes(dist = WEB_DIST): Router {
  const router = express.Router();
  const index = path.join(dist, 'index.html');
  // The explorer's page only through explorerRoutes, so GRAPHQL_EXPLORER=off switches it off.
  router.use((req, _res, next) => (req.path === `/${EXPLORER_PAGE}` ? next('router') : next()));
  router.use(express.static(dist, { index: false, maxAge: '1h', immutable: false }));
  router.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || API_PREFIXES.some((p) => req.path.startsWith(p))) return next();
    if (!existsSync(index)) {
      res.status(503).type('text/plain').send('The web app is not built yet: run `npm start` (or `pnpm build`).');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
