import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics';

describe('createMetrics', () => {
  it('counts staged files, bytes and durations by method and status', async () => {
    const m = createMetrics();
    m.staging.filesFinished('LOCAL_COPY', [
      { status: 'DONE', bytes: 4096, seconds: 0.01 },
      { status: 'DONE', bytes: 1024, seconds: 0.02 },
      { status: 'FAILED', bytes: 0, seconds: 0.5 },
    ]);
    m.staging.requestFinished('LOCAL_COPY', 'PARTIALLY_SUCCEEDED', 3);
    const text = await m.registry.metrics();
    expect(text).toContain('stagecoach_files_total{method="LOCAL_COPY",status="DONE"} 2');
    expect(text).toContain('stagecoach_files_total{method="LOCAL_COPY",status="FAILED"} 1');
    expect(text).toContain('stagecoach_file_bytes_total{method="LOCAL_COPY",status="DONE"} 5120');
    expect(text).toContain('stagecoach_file_duration_seconds_count{method="LOCAL_COPY",status="DONE"} 2');
    expect(text).toContain('stagecoach_requests_total{method="LOCAL_COPY",status="PARTIALLY_SUCCEEDED"} 1');
    expect(text).toContain('stagecoach_request_duration_seconds_sum{method="LOCAL_COPY",status="PARTIALLY_SUCCEEDED"} 3');
  });

  it('reads queue depth and open requests from the database once per scrape', async () => {
    const queries: string[] = [];
    const m = createMetrics({
      db: {
        queueDepth: async () => {
          queries.push('queue');
          return [{ task: 'stage_batch', pending: '3', running: '2', scheduled: '0', failed: '1', oldest_pending_s: '12.5' }];
        },
        openRequests: async () => {
          queries.push('open');
          return [{ method: 'LOCAL_COPY', status: 'RUNNING', n: '4' }];
        },
      },
    });
    const text = await m.registry.metrics();
    expect(text).toContain('stagecoach_queue_jobs{task="stage_batch",state="pending"} 3');
    expect(text).toContain('stagecoach_queue_jobs{task="stage_batch",state="running"} 2');
    expect(text).toContain('stagecoach_queue_jobs{task="stage_batch",state="failed"} 1');
    expect(text).toContain('stagecoach_queue_oldest_pending_seconds{task="stage_batch"} 12.5');
    expect(text).toContain('stagecoach_requests_open{method="LOCAL_COPY",status="RUNNING"} 4');
    expect(queries).toHaveLength(2);
  });

  it('still answers a scrape when the database is away', async () => {
    const down = () => Promise.reject(new Error('connection refused'));
    const m = createMetrics({ db: { queueDepth: down, openRequests: down } });
    const text = await m.registry.metrics();
    expect(text).toContain('# TYPE stagecoach_queue_jobs gauge');
    expect(text).not.toContain('stagecoach_queue_jobs{');
  });
});
