import { describe, expect, it } from 'vitest';
import type { LogEntryFieldsFragment } from '../../../gql/graphql';
import { appendEntries, filterEntries, formatLine } from './log-lines';

const entry = (id: number, level: LogEntryFieldsFragment['level'] = 'INFO', message = `line ${id}`): LogEntryFieldsFragment => ({
  id: String(id),
  at: '2026-01-01T12:00:00.000Z',
  level,
  message,
  requestId: 'req-1',
  fileId: null,
  userId: 'u1',
});

describe('log lines', () => {
  it('appends new entries once, even when history and stream overlap', () => {
    const merged = appendEntries([entry(1), entry(2)], [entry(2), entry(3), entry(3)]);
    expect(merged.map((e) => e.id)).toEqual(['1', '2', '3']);
  });

  it('keeps the newest entries when over the cap', () => {
    const merged = appendEntries([entry(1), entry(2)], [entry(3), entry(4)], 3);
    expect(merged.map((e) => e.id)).toEqual(['2', '3', '4']);
  });

  it('returns the same array when nothing is new (no re-render)', () => {
    const current = [entry(1)];
    expect(appendEntries(current, [entry(1)])).toBe(current);
  });

  it('filters by minimum level and by text in the message or ids', () => {
    const entries = [entry(1, 'DEBUG', 'checking'), entry(2, 'INFO', 'copied a.fits'), entry(3, 'ERROR', 'checksum mismatch')];
    expect(filterEntries(entries, { level: 'INFO', search: '' }).map((e) => e.id)).toEqual(['2', '3']);
    expect(filterEntries(entries, { level: 'DEBUG', search: 'CHECK' }).map((e) => e.id)).toEqual(['1', '3']);
    expect(filterEntries(entries, { level: 'WARN', search: 'req-1' }).map((e) => e.id)).toEqual(['3']);
  });

  it('formats a line with its time, level, scope and message', () => {
    expect(formatLine(entry(7, 'WARN', 'slow'))).toBe('2026-01-01T12:00:00.000Z WARN  request=req-1 slow');
  });
});
