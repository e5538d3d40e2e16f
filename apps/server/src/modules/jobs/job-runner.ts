import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { run, runMigrations, type Runner, type TaskList } from 'graphile-worker';
import type { Logger } from '../../lib/logger';

/** How often live workers say so, and how stale a lock must be before it is taken from a dead one. */
const HEARTBEAT_MS = 5_000;
const DEAD_AFTER_S = 15;

/** Installs graphile-worker's schema (idempotent); needed before any `add_job` call. */
export async function migrateJobQueue(connectionString: string): Promise<void> {
  await runMigrations({ connectionString, logger: undefined });
}

export interface JobRunnerOptions {
  connectionString: string;
  orm: MikroORM;
  logger: Logger;
  taskList: TaskList;
  concurrency: number;
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
  const processId = randomUUID();
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

  const runner: Runner = await run({
    connectionString: opts.connectionString,
    concurrency: opts.concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: opts.taskList,
    logger: undefined,
  });
  runner.events.on('worker:create', ({ worker }) => {
    workerIds.add(worker.workerId);
    void beat().catch(() => undefined);
  });
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
