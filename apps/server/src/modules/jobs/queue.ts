import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobHelpers, Task } from 'graphile-worker';
import { z } from 'zod';

/**
 * The job queue's port: the only code that adds graphile-worker jobs or reads the queue's tables.
 * Each kind of job is declared once with a zod schema for its payload; the payload is checked
 * when the job is added (a bug fails the caller's transaction, not a worker hours later) and
 * again when it runs (a job written by an older release or by hand fails with a clear message).
 */
export interface JobKind<P> {
  readonly task: string;
  readonly payload: z.ZodType<P>;
  /** Attempts before graphile-worker gives up (its exponential backoff spaces them out). */
  readonly maxAttempts: number;
}

export function defineJob<P>(task: string, payload: z.ZodType<P>, opts: { maxAttempts: number }): JobKind<P> {
  return { task, payload, maxAttempts: opts.maxAttempts };
}

/** A payload that does not match its job's schema: not retried, the job stays failed for an operator. */
export class BadJobPayload extends Error {
  constructor(task: string, issues: string) {
    super(`job ${task}: unexpected payload (${issues})`);
    this.name = 'BadJobPayload';
  }
}

function parse<P>(kind: JobKind<P>, raw: unknown): P {
  const result = kind.payload.safeParse(raw);
  if (!result.success) throw new BadJobPayload(kind.task, result.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; '));
  return result.data;
}

/**
 * Adds jobs inside the transaction `em` is in, so they exist exactly when the change that caused
 * them commits (a rollback queues nothing). Many payloads go in one statement and one NOTIFY.
 * `jobKey` replaces a waiting job with the same key (e.g. one send job per outbox row).
 */
export async function enqueue<P>(em: EntityManager, kind: JobKind<P>, jobs: { payload: P; jobKey?: string }[]): Promise<void> {
  if (!jobs.length) return;
  const specs = jobs.map((j) => ({ payload: parse(kind, j.payload), job_key: j.jobKey ?? null }));
  await em.getConnection().execute(
    `select graphile_worker.add_jobs(array(
       select row(?, s->'payload', null, null, ?, s->>'job_key', null, null)::graphile_worker.job_spec from json_array_elements(?::json) s))`,
    [kind.task, kind.maxAttempts, JSON.stringify(specs)],
    'run',
    em.getTransactionContext(),
  );
}

/** The graphile-worker task for a kind of job: its handler gets the checked payload. */
export function jobTask<P>(kind: JobKind<P>, handler: (payload: P, helpers: JobHelpers) => Promise<void>): Task {
  return async (raw, helpers) => handler(parse(kind, raw), helpers);
}

/** A job with no payload of its own (cron ticks). */
export const noPayload = z.unknown();

export interface QueueDepthRow {
  task: string;
  pending: string;
  running: string;
  scheduled: string;
  failed: string;
  oldest_pending_s: number | string | null;
}

/** Jobs by task and state, for /metrics (pending = runnable and waiting for a worker; scheduled = in retry back-off). */
export function queueDepth(em: EntityManager): Promise<QueueDepthRow[]> {
  return em.getConnection().execute<QueueDepthRow[]>(
    `select task_identifier as task,
            count(*) filter (where locked_at is null and run_at <= now() and attempts < max_attempts) as pending,
            count(*) filter (where locked_at is not null) as running,
            count(*) filter (where locked_at is null and run_at > now() and attempts < max_attempts) as scheduled,
            count(*) filter (where attempts >= max_attempts) as failed,
            extract(epoch from now() - min(run_at) filter (where locked_at is null and run_at <= now() and attempts < max_attempts)) as oldest_pending_s
       from graphile_worker.jobs group by task_identifier`,
  );
}

/** Jobs still to run and jobs that used up their attempts, for `pnpm cli doctor`. */
export async function queueSummary(em: EntityManager): Promise<{ waiting: number; failed: number }> {
  const [row] = await em
    .getConnection()
    .execute<{ waiting: string; failed: string }[]>(
      `select count(*) filter (where attempts < max_attempts) waiting, count(*) filter (where attempts >= max_attempts) failed from graphile_worker._private_jobs`,
    );
  return { waiting: Number(row?.waiting ?? 0), failed: Number(row?.failed ?? 0) };
}
