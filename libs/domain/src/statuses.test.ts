import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deriveRequestStatus,
  FILE_STATUSES,
  type FileStatus,
  type FileStatusCounts,
  isTerminalFileStatus,
  isTerminalRequestStatus,
  levelAtLeast,
  LOG_LEVEL_ORDER,
  LOG_LEVELS,
  REQUEST_STATUSES,
  isRequestStatus,
} from './statuses';

describe('isRequestStatus', () => {
  it('guards values at runtime', () => {
    expect(isRequestStatus('QUEUED')).toBe(true);
    expect(isRequestStatus('PENDING')).toBe(false);
  });
});

describe('isTerminalRequestStatus', () => {
  it('is true only for finished requests', () => {
    const terminal = REQUEST_STATUSES.filter(isTerminalRequestStatus);
    expect(terminal).toEqual(['SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'CANCELLED']);
  });
});

describe('isTerminalFileStatus', () => {
  it('is true only for finished files', () => {
    expect(FILE_STATUSES.filter(isTerminalFileStatus)).toEqual(['DONE', 'SKIPPED', 'FAILED', 'CANCELLED']);
  });
});

describe('levelAtLeast', () => {
  it('orders levels DEBUG < INFO < WARN < ERROR', () => {
    const orders = LOG_LEVELS.map((l) => LOG_LEVEL_ORDER[l]);
    expect([...orders].sort((a, b) => a - b)).toEqual(orders);
    expect(new Set(orders).size).toBe(orders.length);
  });

  it('keeps a level at or above the minimum and drops the ones below', () => {
    expect(levelAtLeast('WARN', 'INFO')).toBe(true);
    expect(levelAtLeast('INFO', 'INFO')).toBe(true);
    expect(levelAtLeast('DEBUG', 'INFO')).toBe(false);
    expect(levelAtLeast('ERROR', 'DEBUG')).toBe(true);
    expect(levelAtLeast('WARN', 'ERROR')).toBe(false);
  });
});

describe('deriveRequestStatus', () => {
  it.each<[FileStatusCounts, string]>([
    [{ PENDING: 3 }, 'QUEUED'],
    [{ PENDING: 2, RUNNING: 1 }, 'RUNNING'],
    [{ RUNNING: 1 }, 'RUNNING'],
    [{ PENDING: 1, DONE: 2 }, 'RUNNING'], // a retry of one failed file
    [{ RUNNING: 1, CANCELLED: 4 }, 'RUNNING'], // cancel waiting for a running copy to stop
    [{ DONE: 3 }, 'SUCCEEDED'],
    [{ SKIPPED: 3 }, 'SUCCEEDED'],
    [{ DONE: 1, SKIPPED: 2 }, 'SUCCEEDED'],
    [{ DONE: 1, FAILED: 1 }, 'PARTIALLY_SUCCEEDED'],
    [{ SKIPPED: 1, FAILED: 2 }, 'PARTIALLY_SUCCEEDED'],
    [{ FAILED: 2 }, 'FAILED'],
    [{ CANCELLED: 2 }, 'CANCELLED'],
    [{ DONE: 5, CANCELLED: 1 }, 'CANCELLED'],
    [{ FAILED: 5, CANCELLED: 1 }, 'CANCELLED'],
    [{}, 'SUCCEEDED'],
    [{ DONE: 0, FAILED: 0, PENDING: 0 }, 'SUCCEEDED'],
  ])('maps %j to %s', (counts, expected) => {
    expect(deriveRequestStatus(counts)).toBe(expected);
  });

  it('refuses counts that cannot be real', () => {
    expect(() => deriveRequestStatus({ DONE: -1 })).toThrow(RangeError);
    expect(() => deriveRequestStatus({ DONE: 1.5 })).toThrow(RangeError);
    expect(() => deriveRequestStatus({ FAILED: Number.NaN })).toThrow(RangeError);
  });

  const countsArb = fc.record(
    Object.fromEntries(FILE_STATUSES.map((s) => [s, fc.nat({ max: 5 })])) as Record<FileStatus, fc.Arbitrary<number>>,
  );

  it('is terminal exactly when no file is pending or running', () => {
    fc.assert(
      fc.property(countsArb, (counts) => {
        const active = counts.PENDING + counts.RUNNING;
        expect(isTerminalRequestStatus(deriveRequestStatus(counts))).toBe(active === 0);
      }),
    );
  });

  it('reports success only when no file failed or was cancelled', () => {
    fc.assert(
      fc.property(countsArb, (counts) => {
        if (deriveRequestStatus(counts) === 'SUCCEEDED') {
          expect(counts.FAILED + counts.CANCELLED + counts.PENDING + counts.RUNNING).toBe(0);
        }
      }),
    );
  });
});
