import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** Fields every log line written inside a unit of work carries (the logger's `mixin` adds them). */
export interface LogContext {
  /** The HTTP request (or WebSocket upgrade) being handled; echoed in `X-Request-Id`. */
  requestId?: string;
  /** The authenticated caller, once known. */
  userId?: string;
  /** A graphql-ws operation's id (unique within its socket). */
  operationId?: string;
  /** The graphile-worker job being run, and its task. */
  jobId?: string;
  task?: string;
  /** The staging request a `stage_batch` job works on. */
  stagingRequestId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `fields` (added to the enclosing context's) on every log line it writes, also after awaits. */
export function runWithLogContext<T>(fields: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, fn);
}

/** Adds fields to the current context (e.g. the user once authenticated); a no-op outside one. */
export function addLogContext(fields: LogContext): void {
  const store = storage.getStore();
  if (!store) return;
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) store[key as keyof LogContext] = value as string;
}

/** The current context; the same object `addLogContext` extends, so later additions show through. */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

/** Incoming ids are echoed and logged verbatim, so only short, plain tokens are taken as they are. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:/+=@-]{1,128}$/;

/** The caller's `X-Request-Id` when sane (a proxy's id ties its logs to ours), else a fresh one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * Wraps an async iterator so each step runs in `fields`' context: a subscription's events are
 * executed when its consumer pulls them, outside the context the subscription was opened in.
 */
export function iterateInLogContext<T>(fields: LogContext, it: AsyncIterator<T>): AsyncIterableIterator<T> {
  return {
    next: (...args) => runWithLogContext(fields, () => it.next(...args)),
    return: (value?: unknown) => runWithLogContext(fields, () => it.return?.(value) ?? Promise.resolve({ done: true, value: undefined as T })),
    throw: (err?: unknown) => runWithLogContext(fields, () => it.throw?.(err) ?? Promise.reject(err instanceof Error ? err : new Error(String(err)))),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
