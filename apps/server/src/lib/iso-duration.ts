/**
 * ISO-8601 durations as operators write retention periods (`P14D`, `PT12H`, `P1DT6H`, `P2W`):
 * weeks, days, hours, minutes and seconds only — years and months have no fixed length, so they
 * are refused rather than guessed. Also accepts the short forms the other settings use (`30d`,
 * `12h`, `15m`, `45s`) so one value works everywhere.
 */
const ISO = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const SHORT = /^(\d+)(ms|s|m|h|d|w)$/;

/** Milliseconds of a duration, or null when the text is not one. */
export function parseDuration(text: string): number | null {
  const v = text.trim();
  const short = SHORT.exec(v);
  if (short) return Number(short[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[short[2] as 'ms']!;
  const m = ISO.exec(v);
  if (!m || v.toUpperCase() === 'P' || v.toUpperCase().endsWith('T')) return null;
  const [, w, d, h, min, s] = m;
  return (Number(w ?? 0) * 7 * 86_400 + Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0)) * 1000;
}

/** A human rendering for messages: `14 days`, `3 hours`, `90 seconds`. */
export function describeDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${ms} ms`;
}
