import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueDepthRow } from '../modules/jobs/queue';
import type { OpenRequestsRow } from '../modules/staging/staging.repository';

/** What the scrape-time gauges read from the database (the job queue's and the staging repository's queries). */
export interface MetricsDb {
  queueDepth(): Promise<QueueDepthRow[]>;
  openRequests(): Promise<OpenRequestsRow[]>;
}

/** One finished staged file, as the worker saw it. */
export interface FileOutcome {
  status: string;
  bytes: number;
  seconds: number | null;
}

/** What the staging worker reports (counters of this process; Prometheus sums across replicas). */
export interface StagingMetrics {
  filesFinished(method: string, files: readonly FileOutcome[]): void;
  requestFinished(method: string, status: string, seconds: number): void;
}

/** What the job runner reports about graphile-worker jobs. */
export interface JobMetrics {
  jobStarted(task: string, waitSeconds: number): void;
  jobFinished(task: string, outcome: 'success' | 'error', seconds: number): void;
}

export interface Metrics {
  readonly registry: Registry;
  readonly middleware: (req: Request, res: Response, next: NextFunction) => void;
  readonly staging: StagingMetrics;
  readonly jobs: JobMetrics;
}

const digest = (v: string) => createHash('sha256').update(v).digest();

/** `GET /metrics`: the registry's text, to anyone or only to a scrape sending `Authorization: Bearer <token>`. */
export function metricsEndpoint(metrics: Metrics, token: string | undefined): RequestHandler {
  const expected = token === undefined ? undefined : digest(token);
  return (req, res, next) => {
    if (expected) {
      const sent = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
      if (!sent || !timingSafeEqual(digest(sent), expected)) {
        res
          .status(401)
          .set('www-authenticate', 'Bearer realm="metrics"')
          .json({ error: { code: 'UNAUTHENTICATED', message: 'Send the metrics token as "Authorization: Bearer <token>".' } });
        return;
      }
    }
    metrics.registry.metrics().then((text) => res.type(metrics.registry.contentType).send(text), next);
  };
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/**
 * The process's Prometheus registry (not prom-client's global one, so tests can build several
 * apps). Counters and histograms count what this process did; the `stagecoach_queue_*` and
 * `stagecoach_requests_open` gauges are read from the shared database at scrape time, so every
 * replica reports the same value — aggregate them with max(), not sum().
 */
export function createMetrics(opts: { db?: MetricsDb } = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const httpDuration = new Histogram({
    name: 'stagecoach_http_request_duration_seconds',
    help: 'HTTP request duration by route class, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
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

  // ---- staging (worker side) ----
  const files = new Counter({ name: 'stagecoach_files_total', help: 'Staged files finished, by staging method and file status.', labelNames: ['method', 'status'] as const, registers });
  const bytes = new Counter({ name: 'stagecoach_file_bytes_total', help: 'Bytes of finished staged files, by staging method and file status.', labelNames: ['method', 'status'] as const, registers });
  const fileDuration = new Histogram({ name: 'stagecoach_file_duration_seconds', help: 'Time to stage one file (start of its transfer to its outcome), by method and status.', labelNames: ['method', 'status'] as const, buckets: DURATION_BUCKETS, registers });
  const requests = new Counter({ name: 'stagecoach_requests_total', help: 'Staging requests finished, by method and final status.', labelNames: ['method', 'status'] as const, registers });
  const requestDuration = new Histogram({ name: 'stagecoach_request_duration_seconds', help: 'Staging request duration from submission to its final status, by method and status.', labelNames: ['method', 'status'] as const, buckets: DURATION_BUCKETS, registers });

  // ---- jobs (graphile-worker) ----
  const jobWait = new Histogram({ name: 'stagecoach_job_wait_seconds', help: 'Job latency: from when a job became runnable to when a worker started it, by task.', labelNames: ['task'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers });
  const jobDuration = new Histogram({ name: 'stagecoach_job_duration_seconds', help: 'Job run time by task and outcome.', labelNames: ['task', 'outcome'] as const, buckets: DURATION_BUCKETS, registers });

  if (opts.db) registerDatabaseGauges(registry, opts.db);

  return {
    registry,
    middleware,
    staging: {
      filesFinished(method, outcomes) {
        for (const f of outcomes) {
          files.inc({ method, status: f.status });
          if (f.bytes > 0) bytes.inc({ method, status: f.status }, f.bytes);
          if (f.seconds !== null && f.seconds >= 0) fileDuration.observe({ method, status: f.status }, f.seconds);
        }
      },
      requestFinished(method, status, seconds) {
        requests.inc({ method, status });
        if (seconds >= 0) requestDuration.observe({ method, status }, seconds);
      },
    },
    jobs: {
      jobStarted(task, waitSeconds) {
        jobWait.observe({ task }, Math.max(0, waitSeconds));
      },
      jobFinished(task, outcome, seconds) {
        jobDuration.observe({ task, outcome }, seconds);
      },
    },
  };
}

/** Queue depth and open requests, read once per scrape (one query each, shared by their gauges). */
function registerDatabaseGauges(registry: Registry, db: MetricsDb): void {
  let snapshot: Promise<{ queue: QueueDepthRow[]; open: OpenRequestsRow[] } | null> | null = null;
  let takenAt = 0;
  const read = () => {
    // Gauges are collected one by one; one read serves every gauge of the same scrape.
    if (!snapshot || Date.now() - takenAt > 1000) {
      takenAt = Date.now();
      snapshot = Promise.all([db.queueDepth(), db.openRequests()]).then(
        ([queue, open]) => ({ queue, open }),
        // A scrape must not fail because the database blinked; the gauges just go empty.
        () => null,
      );
    }
    return snapshot;
  };
  new Gauge({
    name: 'stagecoach_queue_jobs',
    help: 'graphile-worker jobs by task and state (pending = runnable, waiting for a worker; scheduled = retry back-off). Same value on every replica.',
    labelNames: ['task', 'state'] as const,
    registers: [registry],
    async collect() {
      const s = await read();
      this.reset();
      for (const r of s?.queue ?? []) {
        for (const state of ['pending', 'running', 'scheduled', 'failed'] as const) this.set({ task: r.task, state }, Number(r[state]));
      }
    },
  });
  new Gauge({
    name: 'stagecoach_queue_oldest_pending_seconds',
    help: 'Age of the oldest runnable job not yet taken by a worker, by task (0 when none). Same value on every replica.',
    labelNames: ['task'] as const,
    registers: [registry],
    async collect() {
      const s = await read();
      this.reset();
      for (const r of s?.queue ?? []) this.set({ task: r.task }, Number(r.oldest_pending_s ?? 0));
    },
  });
  new Gauge({
    name: 'stagecoach_requests_open',
    help: 'Staging requests not finished yet, by method and status. Same value on every replica.',
    labelNames: ['method', 'status'] as const,
    registers: [registry],
    async collect() {
      const s = await read();
      this.reset();
      for (const r of s?.open ?? []) this.set({ method: r.method, status: r.status }, Number(r.n));
    },
  });
}
