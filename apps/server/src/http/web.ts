import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response, type NextFunction, type Router } from 'express';

import { WEB_DIST } from '../lib/paths';

const API_PREFIXES = ['/graphql', '/auth', '/download', '/healthz', '/readyz', '/metrics'];

/** Serves the web app with an SPA fallback: any other GET answers index.html. */
export function webRoutes(dist = WEB_DIST): Router {
  const router = express.Router();
  const index = path.join(dist, 'index.html');
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
