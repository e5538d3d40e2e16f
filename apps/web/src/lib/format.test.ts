import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatRate, formatRelativeTime, shortId } from './format';

describe('format', () => {
  it('shows sizes in binary units with one decimal below 100', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1,023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GiB');
    expect(formatBytes(200 * 1024 ** 2)).toBe('200 MiB');
    expect(formatBytes(null)).toBe('—');
  });

  it('shows rates and durations a person can read at a glance', () => {
    expect(formatRate(10 * 1024 ** 2)).toBe('10.0 MiB/s');
    expect(formatRate(0)).toBe('—');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(7500)).toBe('2 h 5 min');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('—');
  });

  it('describes times relative to now', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(formatRelativeTime('2026-01-01T11:57:00Z', now)).toBe('3 minutes ago');
    expect(formatRelativeTime('2026-01-06T12:00:00Z', now)).toBe('in 5 days');
  });

  it('shortens identifiers', () => {
    expect(shortId('3fc4e39a-9a1f-4203-ac6c-fd9c47dacd18')).toBe('3fc4e39a');
  });
});
