import { useSyncExternalStore } from 'react';

/**
 * Recent (time, bytesDone) samples per request, recorded as live updates arrive, so the rate
 * reflects the last seconds rather than the whole run (which lags after a slow start).
 */
interface Sample {
  at: number;
  bytes: number;
}

/** Long enough to smooth bursty updates, short enough to follow a change of speed. */
const WINDOW_MS = 15_000;

// Module-wide on purpose: rates must survive the request page unmounting and remounting (navigation).
const samples = new Map<string, Sample[]>();
const listeners = new Set<() => void>();
const rates = new Map<string, number | null>();

export function recordProgress(id: string, bytes: number, at: number): void {
  const list = samples.get(id) ?? [];
  const last = list.at(-1);
  if (last && last.bytes === bytes) return;
  // A retry or a reset restarts the count: old samples would give a negative rate.
  const kept = last && bytes < last.bytes ? [] : list.filter((s) => at - s.at <= WINDOW_MS);
  kept.push({ at, bytes });
  samples.set(id, kept);
  const first = kept[0]!;
  const seconds = (at - first.at) / 1000;
  rates.set(id, kept.length >= 2 && seconds > 0.5 ? (bytes - first.bytes) / seconds : null);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Bytes per second over the recent window, or null until two updates have been seen. */
export function useRecentRate(id: string): number | null {
  return useSyncExternalStore(
    subscribe,
    () => rates.get(id) ?? null,
    () => null,
  );
}

/** Test helper: forget every sample. */
export function resetProgressSamples(): void {
  samples.clear();
  rates.clear();
}

/**
 * Rate and ETA for a request: the recent rate when known, else the average since it started.
 * Returns nulls when nothing can be said yet (not started, or nothing transferred).
 */
export function estimateProgress(input: {
  bytesDone: number;
  bytesTotal: number;
  startedAt: string | null;
  recentRate: number | null;
  now: number;
}): { rate: number | null; etaSeconds: number | null } {
  const started = input.startedAt ? Date.parse(input.startedAt) : Number.NaN;
  const elapsed = (input.now - started) / 1000;
  const average = Number.isFinite(elapsed) && elapsed > 1 && input.bytesDone > 0 ? input.bytesDone / elapsed : null;
  const rate = input.recentRate && input.recentRate > 0 ? input.recentRate : average;
  const remaining = Math.max(0, input.bytesTotal - input.bytesDone);
  return { rate, etaSeconds: rate ? remaining / rate : null };
}
