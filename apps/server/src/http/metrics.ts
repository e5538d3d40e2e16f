import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** One registry per app instance (not the global one) so tests can build several apps. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'stagecoach_http_request_duration_seconds',
    help: 'HTTP request duration by route class, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // Label by route class, never by raw URL: download tokens and SPA paths would explode cardinality.
  const routeOf = (path: string) => {
    const first = path.split('/')[1] ?? '';
    return ['graphql', 'auth', 'download', 'healthz', 'readyz', 'metrics'].includes(first) ? `/${first}` : 'web';
  };
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const end = httpDuration.startTimer();
    res.on('finish', () => end({ route: routeOf(req.path), method: req.method, status: String(res.statusCode) }));
    next();
  };
  return { registry, middleware };
}
