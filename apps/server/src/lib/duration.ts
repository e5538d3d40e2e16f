import { z } from 'zod';

/**
 * The one duration grammar of Stagecoach: environment variables, site definitions and the
 * operator CLI all read durations here, so a value that works in one place works in all and a
 * bad one is refused with the same message everywhere. Accepted:
 *
 * - ISO-8601 durations: `P2W`, `P14D`, `PT12H`, `P1DT6H`, `PT0.5S` (only seconds may have a
 *   fraction). Months and years have no fixed length; `P1M` counts as 30 days and `P1Y` as 365.
 * - short forms: `100ms`, `45s`, `15m`, `12h`, `7d`, `2w`.
 * - a bare whole number of seconds (`30`), in environment variables only, which existing values
 *   rely on. Site definitions and the CLI need a unit: a bare `30` given to `purge --older-than`
 *   or a site's `retention` is far more likely to mean days than seconds, and guessing would delete data.
 */
export const DURATION_HINT = 'expected a duration such as 30s, 15m, 12h, 7d, P14D or PT12H';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const ISO = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const SHORT = /^(\d+)(ms|s|m|h|d|w)?$/;
const SHORT_UNIT_MS = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY } as const;

/** Milliseconds of a duration, or null when the text is not one (or is a bare number where a unit is required). */
export function parseDuration(text: string, opts: { unitRequired?: boolean } = {}): number | null {
  const v = text.trim();
  const short = SHORT.exec(v);
  if (short && !short[2] && opts.unitRequired) return null;
  if (short) return Number(short[1]) * SHORT_UNIT_MS[(short[2] ?? 's') as keyof typeof SHORT_UNIT_MS];
  const iso = ISO.exec(v);
  // The pattern alone would let through `P`, `PT` and `P1DT`, which name no amount.
  if (!iso || /^PT?$/i.test(v) || /T$/i.test(v)) return null;
  const [y, mo, w, d, h, min, s] = iso.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number, number];
  // Rounded so that a fraction such as PT1.005S does not leave a float's error in the result.
  return Math.round((y * 365 + mo * 30 + w * 7 + d) * DAY + h * HOUR + min * MINUTE + s * SECOND);
}

/**
 * The ISO-8601 form `PnDTnHnMnS` of a duration, for peers that take only that form: dCache
 * (Java's `Duration.parse`) refuses weeks, months, years and the short forms.
 */
export function toIsoDuration(ms: number): string {
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  const seconds = (ms % MINUTE) / SECOND;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  if (!days && !time) return 'PT0S';
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/** A human rendering for messages: `14 days`, `3 hours`, `90 seconds`. */
export function describeDuration(ms: number): string {
  const units: [number, string][] = [
    [DAY, 'day'],
    [HOUR, 'hour'],
    [MINUTE, 'minute'],
    [SECOND, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${ms} ms`;
}

/** An environment variable holding a duration, read as milliseconds. */
export const durationMs = z.string({ error: DURATION_HINT }).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: DURATION_HINT });
    return z.NEVER;
  }
  return ms;
});

/** A duration field of a site definition: checked here, kept as written for messages and logs. */
export const durationText = z.string({ error: DURATION_HINT }).refine((v) => parseDuration(v, { unitRequired: true }) !== null, DURATION_HINT);
