/** Lifecycle of a staging request (GraphQL enum `RequestStatus`). */
export const REQUEST_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Lifecycle of one staged file (GraphQL enum `FileStatus`). */
export const FILE_STATUSES = ['PENDING', 'RUNNING', 'DONE', 'SKIPPED', 'FAILED', 'CANCELLED'] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

/** Account state (GraphQL enum `UserStatus`); only ACTIVE users may stage. */
export const USER_STATUSES = ['PENDING', 'ACTIVE', 'REJECTED', 'DISABLED'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const ROLES = ['USER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** Product log levels (GraphQL enum `LogLevel`), least to most severe. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const TERMINAL_REQUEST_STATUSES: ReadonlySet<RequestStatus> = new Set([
  'SUCCEEDED',
  'PARTIALLY_SUCCEEDED',
  'FAILED',
  'CANCELLED',
]);
const TERMINAL_FILE_STATUSES: ReadonlySet<FileStatus> = new Set(['DONE', 'SKIPPED', 'FAILED', 'CANCELLED']);

/** True when a request has finished and can no longer be cancelled. */
export function isTerminalRequestStatus(status: RequestStatus): boolean {
  return TERMINAL_REQUEST_STATUSES.has(status);
}

/** True when a file will not be worked on again unless it is retried. */
export function isTerminalFileStatus(status: FileStatus): boolean {
  return TERMINAL_FILE_STATUSES.has(status);
}

/** Numeric severity, spaced so levels could be inserted later without renumbering stored data. */
export const LOG_LEVEL_ORDER = {
  DEBUG: 10,
  INFO: 20,
  WARN: 30,
  ERROR: 40,
} as const satisfies Record<LogLevel, number>;

/** True when `level` is as severe as `min` or more (the `minLevel` filter of `logs`). */
export function levelAtLeast(level: LogLevel, min: LogLevel): boolean {
  return LOG_LEVEL_ORDER[level] >= LOG_LEVEL_ORDER[min];
}

export type FileStatusCounts = Partial<Record<FileStatus, number>>;

/**
 * The status a request has given how many of its files are in each state.
 *
 * - Any file PENDING or RUNNING: the request is still in progress — QUEUED while no file has left
 *   PENDING, otherwise RUNNING (this also covers a retry, where earlier files are already DONE,
 *   and a cancellation that is waiting for running files to stop).
 * - Otherwise any CANCELLED file means the user cancelled the request: CANCELLED, whatever the
 *   other files reached (their own counts still tell).
 * - Otherwise: no FAILED → SUCCEEDED (SKIPPED counts as success: the data is already there);
 *   no DONE/SKIPPED → FAILED; a mix → PARTIALLY_SUCCEEDED.
 * - A request without files (e.g. an empty directory) has nothing left to do: SUCCEEDED.
 */
export function deriveRequestStatus(counts: FileStatusCounts): RequestStatus {
  const n = (status: FileStatus): number => {
    const value = counts[status] ?? 0;
    // A negative or fractional count is a bookkeeping bug upstream; guessing a status would hide it.
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`file count for ${status} must be a non-negative integer, got ${value}`);
    }
    return value;
  };
  const pending = n('PENDING');
  const running = n('RUNNING');
  const ok = n('DONE') + n('SKIPPED');
  const failed = n('FAILED');
  const cancelled = n('CANCELLED');

  if (pending + running > 0) {
    return running + ok + failed + cancelled === 0 ? 'QUEUED' : 'RUNNING';
  }
  if (cancelled > 0) return 'CANCELLED';
  if (failed === 0) return 'SUCCEEDED';
  if (ok === 0) return 'FAILED';
  return 'PARTIALLY_SUCCEEDED';
}

function isOneOf<T extends string>(values: readonly T[]) {
  return (value: unknown): value is T => typeof value === 'string' && (values as readonly string[]).includes(value);
}

export const isRequestStatus = isOneOf(REQUEST_STATUSES);
export const isFileStatus = isOneOf(FILE_STATUSES);
export const isUserStatus = isOneOf(USER_STATUSES);
export const isRole = isOneOf(ROLES);
export const isLogLevel = isOneOf(LOG_LEVELS);
