import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Logger as WorkerLogger, run, runMigrations, type ParsedCronItem, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker';
import type { JobMetrics } from '../../http/metrics';
import { runWithLogContext } from '../../lib/log-context';
import type { Logger } from '../../lib/logger';

/** How often live workers say so, and how stale a lock must be before it is taken from a dead one. */
const HEARTBEAT_MS = 5_000;
const DEAD_AFTER_S = 15;

/** graphile-worker's own messages go through pino (structured, redacted) instead of the console. */
export function workerLogger(logger: Logger): WorkerLogger {
  const log = logger.child({ module: 'graphile-worker' });
  return new WorkerLogger((scope) => (level, message, meta) => {
    const fields = { ...scope, ...meta };
    if (level === 'error') log.error(fields, message);
    else if (level === 'warning') log.warn(fields, message);
    else if (level === 'info') log.debug(fields, message); // its info lines are chatty (worker start/stop)
    else log.trace(fields, message);
  });
}

/** Each task runs with its job's id and task name on every line it logs. */
function inJobLogContext(taskList: TaskList): TaskList {
  const wrapped: TaskList = {};
  for (const [task, fn] of Object.entries(taskList)) {
    if (fn) wrapped[task] = (payload, helpers) => runWithLogContext({ jobId: helpers.job.id, task }, () => fn(payload, helpers));
  }
  return wrapped;
}

/** Installs graphile-worker's schema (idempotent); needed before any `add_job` call. */
export async function migrateJobQueue(connectionString: string, logger?: Logger): Promise<void> {
  await runMigrations({ connectionString, logger: logger ? workerLogger(logger) : undefined });
}

export interface JobRunnerOptions {
  connectionString: string;
  orm: MikroORM;
  logger: Logger;
  taskList: TaskList;
  concurrency: number;
  /** Recurring jobs (graphile-worker cron), e.g. the lifecycle sweep; parse with `parseCronItems`. */
  parsedCronItems?: ParsedCronItem[];
  /** Job latency and run time for /metrics. */
  metrics?: JobMetrics;
}

export interface JobRunner {
  readonly processId: string;
  stop(): Promise<void>;
}

/**
 * Runs graphile-worker with our tasks, plus crash recovery graphile-worker leaves to us: it
 * unlocks jobs of a vanished worker only after 4 hours. Every process records its workers'
 * ids with a heartbeat; any process then force-unlocks jobs held by workers that stopped beating,
 * so killing a process mid-job hands its jobs to the next worker within ~20 s (handlers are
 * idempotent, so running a job again is safe).
 */
export async function startJobRunner(opts: JobRunnerOptions): Promise<JobRunner> {
  // Host and pid first: an operator (or a test) can tell which process holds a job.
  const processId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = opts.logger.child({ module: 'jobs' });
  const workerIds = new Set<string>();
  const conn = () => opts.orm.em.getConnection();

  const beat = async () => {
    if (workerIds.size === 0) return;
    await conn().execute(
      `insert into worker_heartbeats (worker_id, process_id, last_seen)
       select unnest(?::text[]), ?, now()
       on conflict (worker_id) do update set last_seen = excluded.last_seen`,
      [`{${[...workerIds].join(',')}}`, processId],
    );
  };
  const sweep = async () => {
    const rows = await conn().execute<{ locked_by: string }[]>(
      // Dead = its heartbeat went stale, or it never beat and has held the job for a while (a
      // brand-new worker may lock a job a moment before its first heartbeat lands).
      `select distinct j.locked_by from graphile_worker._private_jobs j
         left join worker_heartbeats h on h.worker_id = j.locked_by
        where j.locked_by is not null
          and ((h.worker_id is null and j.locked_at < now() - make_interval(secs => ?))
               or h.last_seen < now() - make_interval(secs => ?))`,
      [DEAD_AFTER_S, DEAD_AFTER_S],
    );
    if (rows.length === 0) return;
    const dead = rows.map((r) => r.locked_by);
    log.warn({ workers: dead }, 'unlocking jobs of workers that stopped (crashed process)');
    await conn().execute(`select graphile_worker.force_unlock_workers(?::text[])`, [`{${dead.join(',')}}`]);
    await conn().execute(`delete from worker_heartbeats where last_seen < now() - interval '1 hour'`);
  };

  // What we heartbeat is the worker *pool* id: graphile-worker 0.18 locks jobs with the pool's id
  // (get_job runs per pool), not with its workers' ids. And we listen on our own emitter before
  // run(): the pool exists before run() resolves, so runner.events would miss its creation. Either
  // mistake leaves no matching heartbeat, and every job held longer than DEAD_AFTER_S would be
  // taken from its live worker and run twice.
  const events: WorkerEvents = new EventEmitter();
  events.on('pool:create', ({ workerPool }) => {
    workerIds.add(workerPool.id);
    void beat().catch(() => undefined);
  });
  const runner: Runner = await run({
    connectionString: opts.connectionString,
    concurrency: opts.concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: inJobLogContext(opts.taskList),
    parsedCronItems: opts.parsedCronItems ?? [],
    logger: workerLogger(opts.logger),
    events,
  });
  if (opts.metrics) {
    const metrics = opts.metrics;
    const started = new Map<string, number>();
    runner.events.on('job:start', ({ job }) => {
      started.set(job.id, performance.now());
      metrics.jobStarted(job.task_identifier, (Date.now() - new Date(job.run_at).getTime()) / 1000);
    });
    runner.events.on('job:complete', ({ job, error }) => {
      const t0 = started.get(job.id);
      started.delete(job.id);
      if (t0 !== undefined) metrics.jobFinished(job.task_identifier, error ? 'error' : 'success', (performance.now() - t0) / 1000);
    });
  }
  runner.events.on('job:error', ({ job, error }) => log.error({ err: error, task: job.task_identifier, jobId: job.id }, 'job failed; graphile-worker will retry it'));

  await beat();
  const timer = setInterval(() => {
    void beat()
      .then(sweep)
      .catch((err: unknown) => log.error({ err }, 'worker heartbeat failed'));
  }, HEARTBEAT_MS);
  // A first sweep at start: a restarted process picks up what its previous incarnation held.
  void sweep().catch((err: unknown) => log.error({ err }, 'worker sweep failed'));

  return {
    processId,
    async stop() {
      clearInterval(timer);
      await runner.stop();
      if (workerIds.size) await conn().execute(`delete from worker_heartbeats where worker_id = any(?::text[])`, [`{${[...workerIds].join(',')}}`]).catch(() => undefined);
    },
  };
}
