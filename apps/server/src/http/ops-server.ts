import http from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import express from 'express';
import { healthRoutes } from './health';
import { metricsEndpoint, type Metrics } from './metrics';

export interface OpsServer {
  readonly httpServer: http.Server;
  /** Starts listening; resolves with the bound port. */
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export interface OpsServerOptions {
  /** Serve `/metrics` here (false on a worker's PORT when METRICS_PORT takes it). */
  serveMetrics: boolean;
  /** METRICS_TOKEN: the bearer a scrape must send. */
  metricsToken: string | undefined;
}

/**
 * An ops listener: only `/healthz`, `/readyz` and (unless told otherwise) `/metrics`, so
 * orchestrators can probe it and Prometheus can scrape it. It is a `worker` process's PORT and
 * any process's METRICS_PORT. Everything else answers 404 — it serves no users (no GraphQL, no
 * sessions, no downloads).
 */
export function createOpsServer(orm: MikroORM, metrics: Metrics, opts: OpsServerOptions): OpsServer {
  const app = express();
  app.disable('x-powered-by');
  app.use(metrics.middleware);
  app.use(healthRoutes(orm));
  if (opts.serveMetrics) app.get('/metrics', metricsEndpoint(metrics, opts.metricsToken));
  const offered = opts.serveMetrics ? '/healthz, /readyz and /metrics' : '/healthz and /readyz';
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: `This is an operations port: only ${offered} are served here.` } });
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
