import { describe, expect, it } from 'vitest';
import { DURATION_HINT, describeDuration, durationMs, durationText, parseDuration, toIsoDuration } from './duration';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;

describe('parseDuration', () => {
  it.each<[string, number]>([
    // ISO-8601
    ['P14D', 14 * D],
    ['P2W', 14 * D],
    ['PT12H', 12 * H],
    ['P1DT6H', D + 6 * H],
    ['P1DT6H30M', D + 6.5 * H],
    ['PT0.5S', 500],
    ['PT1.005S', 1005],
    ['PT0S', 0],
    ['P1M', 30 * D],
    ['P1Y', 365 * D],
    ['P1Y2M3W4DT5H6M7S', (365 + 60 + 21 + 4) * D + 5 * H + 6 * MIN + 7 * S],
    ['p1d', D],
    // short forms
    ['100ms', 100],
    ['45s', 45 * S],
    ['15m', 15 * MIN],
    ['12h', 12 * H],
    ['7d', 7 * D],
    ['2w', 14 * D],
    [' 30d ', 30 * D],
    // a bare number is seconds
    ['30', 30 * S],
    ['0', 0],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'P', 'PT', 'P1DT', 'P1H', 'PT1D', 'PT1.5M', 'P1.5D', '-P1D', '-30s', '7 days', '7D', '1.5h', '15min', 'fourteen days', 'P14DX'])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeNull();
    },
  );
});

describe('where a unit is required (site definitions, the CLI)', () => {
  it('refuses a bare number but reads the same value with a unit', () => {
    expect(parseDuration('30', { unitRequired: true })).toBeNull();
    expect(parseDuration('30d', { unitRequired: true })).toBe(30 * D);
    expect(parseDuration('P30D', { unitRequired: true })).toBe(30 * D);
    expect(durationText.safeParse('14').success).toBe(false);
    expect(durationText.safeParse('14d').success).toBe(true);
  });
});

describe('toIsoDuration', () => {
  it.each<[number, string]>([
    [6 * D, 'P6D'],
    [14 * D, 'P14D'],
    [12 * H, 'PT12H'],
    [D + 6 * H + 30 * MIN + 15 * S, 'P1DT6H30M15S'],
    [500, 'PT0.5S'],
    [0, 'PT0S'],
  ])('writes %d ms as %s', (ms, iso) => {
    expect(toIsoDuration(ms)).toBe(iso);
    expect(parseDuration(iso)).toBe(ms);
  });
});

describe('describeDuration', () => {
  it('uses the largest whole unit', () => {
    expect(describeDuration(14 * D)).toBe('14 days');
    expect(describeDuration(H)).toBe('1 hour');
    expect(describeDuration(90 * S)).toBe('90 seconds');
    expect(describeDuration(1500)).toBe('1500 ms');
  });
});

describe('zod types', () => {
  it('read durations as milliseconds or keep the text, refusing with one message', () => {
    expect(durationMs.parse('P7D')).toBe(7 * D);
    expect(durationText.parse('P1M')).toBe('P1M');
    for (const schema of [durationMs, durationText]) {
      for (const bad of ['7 days', 7]) {
        const r = schema.safeParse(bad);
        expect(r.success).toBe(false);
        expect(r.error?.issues.map((i) => i.message)).toEqual([DURATION_HINT]);
      }
    }
  });
});
