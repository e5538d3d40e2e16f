import { afterEach, describe, expect, it } from 'vitest';
import { estimateProgress, recordProgress, resetProgressSamples } from './progress-samples';
import { renderHook } from '@testing-library/react';
import { useRecentRate } from './progress-samples';

afterEach(() => resetProgressSamples());

describe('progress estimates', () => {
  it('measures the rate over recent samples', () => {
    recordProgress('r1', 0, 0);
    recordProgress('r1', 10_000_000, 2_000);
    const { result } = renderHook(() => useRecentRate('r1'));
    expect(result.current).toBe(5_000_000);
  });

  it('falls back to the average since the start and computes the ETA from what is left', () => {
    const estimate = estimateProgress({
      bytesDone: 100,
      bytesTotal: 300,
      startedAt: new Date(0).toISOString(),
      recentRate: null,
      now: 10_000,
    });
    expect(estimate.rate).toBe(10);
    expect(estimate.etaSeconds).toBe(20);
  });

  it('says nothing before any byte moved', () => {
    expect(estimateProgress({ bytesDone: 0, bytesTotal: 10, startedAt: null, recentRate: null, now: 1 })).toEqual({
      rate: null,
      etaSeconds: null,
    });
  });
});
