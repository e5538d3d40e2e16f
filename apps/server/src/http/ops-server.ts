import http from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import express from 'express';
import { healthRoutes } from './health';
import type { Metrics } from './metrics';

export interface OpsServer {
  readonly httpServer: http.Server;
  /** Starts listening; resolves with the bound port. */
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * The HTTP listener of a `worker` process: only `/healthz`, `/readyz` and `/metrics`, so
 * orchestrators can probe it and Prometheus can scrape it. Everything else answers 404 — workers
 * serve no users (no GraphQL, no sessions, no downloads).
 */
export function createOpsServer(orm: MikroORM, metrics: Metrics): OpsServer {
  const app = express();
  app.disable('x-powered-by');
  app.use(metrics.middleware);
  app.use(healthRoutes(orm));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'This is a worker process: only /healthz, /readyz and /metrics are served here.' } });
  });
  const httpServer = http.createServer(app);
  return {
    httpServer,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve((httpServer.address() as { port: number }).port));
      }),
    close: () =>
      new Promise((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}
