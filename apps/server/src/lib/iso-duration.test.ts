import { describe, expect, it } from 'vitest';
import { describeDuration, parseDuration } from './iso-duration';

describe('parseDuration', () => {
  it.each([
    ['P14D', 14 * 86_400_000],
    ['PT12H', 12 * 3_600_000],
    ['P1DT6H30M', 86_400_000 + 6.5 * 3_600_000],
    ['P2W', 14 * 86_400_000],
    ['PT0S', 0],
    ['PT1.5S', 1500],
    ['30d', 30 * 86_400_000],
    ['15m', 900_000],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['P1Y', 'P1M', 'P', 'PT', '14', 'fourteen days', '-P1D'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('describeDuration', () => {
  it('uses the largest whole unit', () => {
    expect(describeDuration(14 * 86_400_000)).toBe('14 days');
    expect(describeDuration(3_600_000)).toBe('1 hour');
    expect(describeDuration(90_000)).toBe('90 seconds');
  });
});
