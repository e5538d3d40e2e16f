import type { JobHelpers } from 'graphile-worker';
import { describe, expect, it } from 'vitest';
import { STAGE_BATCH } from '../staging/stage-commits';
import { BadJobPayload, jobTask } from './queue';

const helpers = {} as JobHelpers;

describe('job payloads', () => {
  it('reach the handler checked and typed', async () => {
    const seen: unknown[] = [];
    const task = jobTask(STAGE_BATCH, async (payload) => void seen.push(payload));
    const payload = { requestId: '0b5bd3b4-1f7a-4a57-9d4e-6f1d1f0b9a11', fileIds: ['6a1f0f62-3c55-4a43-8a3e-2d0e8c5f7b21'] };
    await task(payload, helpers);
    expect(seen).toEqual([payload]);
  });

  it('fail with the task and the offending field named when a job carries something else, and the handler never runs', async () => {
    let ran = false;
    const task = jobTask(STAGE_BATCH, async () => {
      ran = true;
    });
    const run = task({ requestId: 'not-a-uuid', fileIds: 'all' }, helpers);
    await expect(run).rejects.toBeInstanceOf(BadJobPayload);
    await expect(task({ requestId: 'not-a-uuid', fileIds: [] }, helpers)).rejects.toThrow(/stage_batch: unexpected payload \(requestId: /);
    expect(ran).toBe(false);
  });
});
