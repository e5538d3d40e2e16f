/** Summaries and formatting for bench results: every figure is min/median/max over runs. */

export interface Summary {
  min: number;
  median: number;
  max: number;
  n: number;
}

export function summarize(values: number[]): Summary {
  if (values.length === 0) return { min: NaN, median: NaN, max: NaN, n: 0 };
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s.at(-1)!, n: s.length };
}

/** Nearest-rank percentile (p in 0..100) of an unsorted sample. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = Float64Array.from(values).sort();
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank]!;
}

/** One line of the results table: ours vs a reference tool run right beside it. */
export interface Row {
  scenario: string;
  metric: string;
  unit: string;
  ours: Summary;
  /** Reference tool (cp, curl, HTTP floor); absent when there is nothing comparable. */
  ref?: { name: string; summary: Summary };
  /** ours.median / ref.median, oriented so that > 1 means "ours is better" when `higherIsBetter`. */
  ratio?: number;
  target?: { text: string; met: boolean };
  note?: string;
}

export function ratioOf(ours: Summary, ref: Summary, higherIsBetter: boolean): number {
  return higherIsBetter ? ours.median / ref.median : ref.median / ours.median;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const a = Math.abs(n);
  if (a >= 100) return n.toFixed(0);
  if (a >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

const triple = (s: Summary) => `${fmt(s.min)} / ${fmt(s.median)} / ${fmt(s.max)}`;

export function renderTable(rows: Row[]): string {
  const head = ['scenario', 'metric', 'ours min / med / max', 'reference min / med / max', 'ratio', 'target', ''];
  const body = rows.map((r) => [
    r.scenario,
    `${r.metric} (${r.unit})`,
    `${triple(r.ours)}  n=${r.ours.n}`,
    r.ref ? `${r.ref.name}: ${triple(r.ref.summary)}` : '',
    r.ratio === undefined ? '' : fmt(r.ratio),
    r.target?.text ?? '',
    r.target ? (r.target.met ? 'ok' : 'MISSED') : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const sep = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const notes = rows.filter((r) => r.note).map((r) => `  * ${r.scenario} / ${r.metric}: ${r.note}`);
  return [line(head), sep, ...body.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/**
 * Ratios of runs taken side by side (ours[i] with ref[i]), oriented like `ratioOf`. Their median
 * is the figure to read when the machine's speed drifts between runs (other work, memory
 * regimes): a slow phase slows both sides of a pair, where a ratio of medians mixes phases.
 */
export function pairedRatios(ours: number[], ref: number[], higherIsBetter: boolean): Summary {
  const n = Math.min(ours.length, ref.length);
  return summarize(Array.from({ length: n }, (_, i) => (higherIsBetter ? ours[i]! / ref[i]! : ref[i]! / ours[i]!)));
}

/** "min–max" of a summary, for notes. */
export function fmtRange(s: Summary): string {
  return `${s.min.toFixed(2)}–${s.max.toFixed(2)}`;
}
