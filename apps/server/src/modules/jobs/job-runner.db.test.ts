import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { createMetrics } from '../../http/metrics';
import { createLogger } from '../../lib/logger';
import { startJobRunner, type JobRunner } from './job-runner';

let db: TestDatabase;
let runner: JobRunner;
const metrics = createMetrics();
let release!: () => void;
const held = new Promise<void>((r) => (release = r));
let started!: () => void;
const running = new Promise<void>((r) => (started = r));

beforeAll(async () => {
  db = await createTestDatabase();
  runner = await startJobRunner({
    connectionString: db.url,
    orm: db.orm,
    logger: createLogger('silent'),
    concurrency: 1,
    metrics: metrics.jobs,
    taskList: {
      hold: async () => {
        started();
        await held;
      },
    },
  });
});
afterAll(async () => {
  release();
  await runner.stop();
});

describe('job runner', () => {
  it('heartbeats under the id graphile-worker locks jobs with, so live jobs are never taken away', async () => {
    await db.orm.em.getConnection().execute(`select graphile_worker.add_job('hold', '{}'::json)`);
    await running;
    const rows = await db.orm.em.getConnection().execute<{ locked_by: string; process_id: string | null }[]>(
      `select j.locked_by, h.process_id from graphile_worker._private_jobs j left join worker_heartbeats h on h.worker_id = j.locked_by`,
    );
    expect(rows).toHaveLength(1);
    // Without a matching heartbeat the sweep would treat the job's (live) holder as dead after 15 s.
    expect(rows[0]!.process_id).toBe(runner.processId);
    expect(runner.processId).toMatch(new RegExp(`:${process.pid}:`));
  });

  it('reports job latency and run time to /metrics', async () => {
    release();
    for (let i = 0; i < 100; i++) {
      const left = await db.orm.em.getConnection().execute<{ n: string }[]>(`select count(*) n from graphile_worker._private_jobs`);
      if (left[0]!.n === '0') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 50));
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/stagecoach_job_wait_seconds_count\{task="hold"\} 1/);
    expect(text).toMatch(/stagecoach_job_duration_seconds_count\{task="hold",outcome="success"\} 1/);
  });
});
