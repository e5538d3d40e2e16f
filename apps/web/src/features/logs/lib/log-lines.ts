import { levelAtLeast, type LogLevel } from '@stagecoach/domain';
import type { LogEntryFieldsFragment } from '../../../gql/graphql';

/** Beyond this many lines the oldest are dropped; the viewer stays smooth well past 100,000. */
export const MAX_ENTRIES = 200_000;

/** How many of the newest ids are checked for duplicates (history and stream overlap only briefly). */
const DEDUPE_WINDOW = 5_000;

/**
 * Appends new entries after `current`, skipping ones already present (the same entry may come
 * from both the history query and the subscription) and keeping at most `max` entries.
 */
export function appendEntries(
  current: readonly LogEntryFieldsFragment[],
  added: readonly LogEntryFieldsFragment[],
  max: number = MAX_ENTRIES,
): LogEntryFieldsFragment[] {
  const seen = new Set<string>();
  for (let i = Math.max(0, current.length - DEDUPE_WINDOW); i < current.length; i++) seen.add(current[i]!.id);
  const fresh: LogEntryFieldsFragment[] = [];
  for (const entry of added) {
    if (seen.has(entry.id)) continue;
    seen.add(entry.id);
    fresh.push(entry);
  }
  if (fresh.length === 0) return current as LogEntryFieldsFragment[];
  const merged = current.concat(fresh);
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}

export interface LogFilter {
  level: LogLevel;
  /** Case-insensitive text to find in the message or the ids. */
  search: string;
}

/** The entries the viewer shows for a filter, in order. */
export function filterEntries(entries: readonly LogEntryFieldsFragment[], filter: LogFilter): LogEntryFieldsFragment[] {
  const needle = filter.search.trim().toLowerCase();
  if (filter.level === 'DEBUG' && needle === '') return entries as LogEntryFieldsFragment[];
  return entries.filter(
    (entry) =>
      levelAtLeast(entry.level, filter.level) &&
      (needle === '' ||
        entry.message.toLowerCase().includes(needle) ||
        (entry.requestId?.toLowerCase().includes(needle) ?? false) ||
        (entry.fileId?.toLowerCase().includes(needle) ?? false)),
  );
}

/** One entry as a line of text, for copying and downloading. */
export function formatLine(entry: LogEntryFieldsFragment): string {
  const scope = [entry.requestId && `request=${entry.requestId}`, entry.fileId && `file=${entry.fileId}`]
    .filter(Boolean)
    .join(' ');
  return `${entry.at} ${entry.level.padEnd(5)} ${scope ? `${scope} ` : ''}${entry.message}`;
}
