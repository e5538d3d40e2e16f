import type { StagedFileErrorCode } from '@stagecoach/domain';

/**
 * A storage failure with a closed error code and a message fit to show a user.
 * Messages never carry absolute paths (they would reveal the site layout); the underlying
 * error, with its paths and errno, stays in `cause` for logs and admins.
 */
export class StorageError extends Error {
  override name = 'StorageError';
  readonly code: StagedFileErrorCode;
  /**
   * Whether trying again may help, when the adapter knows better than the code alone (a remote
   * site that refuses our credentials is SITE_UNAVAILABLE but retrying will not fix it).
   * Undefined: the engine decides from the code.
   */
  readonly retryable: boolean | undefined;

  constructor(code: StagedFileErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options);
    this.code = code;
    this.retryable = options?.retryable;
  }
}

/** A user-given path that is, or might lead, outside its root. */
export class PathOutsideRootError extends StorageError {
  override name = 'PathOutsideRootError';
  declare readonly code: 'PATH_OUTSIDE_ROOT';

  constructor(userPath: string, reason: string, options?: { cause?: unknown }) {
    super('PATH_OUTSIDE_ROOT', `The path ${quoteForMessage(userPath)} is not allowed: ${reason}.`, options);
  }
}

/** The user's own input, quoted with control characters escaped and cut to a readable length. */
export function quoteForMessage(userPath: string): string {
  const max = 120;
  const cut = userPath.length > max ? `${userPath.slice(0, max)}…` : userPath;
  return JSON.stringify(cut);
}

export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') {
    return err.code;
  }
  return undefined;
}

/** True for the DOMException/AbortError family that `signal.throwIfAborted()` and fs APIs use. */
export function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || errnoCode(err) === 'ABORT_ERR');
}

/**
 * Translates an fs failure during a transfer into a StorageError; StorageErrors pass through.
 * `side` says whether ENOENT means the source went missing or the target folder did.
 */
export function toStorageError(err: unknown, side: 'source' | 'target' = 'target'): StorageError {
  if (err instanceof StorageError) return err;
  if (isAbortError(err)) return new StorageError('CANCELLED', 'The transfer was cancelled.', { cause: err });
  const code = errnoCode(err);
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new StorageError('QUOTA_EXCEEDED', 'There is not enough space left on the target storage.', {
        cause: err,
      });
    case 'EEXIST':
      return new StorageError('TARGET_EXISTS', 'The target already exists.', { cause: err });
    case 'ENOENT':
      return side === 'source'
        ? new StorageError('SOURCE_NOT_FOUND', 'The source file does not exist (any more).', { cause: err })
        : new StorageError('TRANSFER_FAILED', 'The target folder disappeared during the transfer.', { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new StorageError('TRANSFER_FAILED', `The storage refused access (${code}).`, { cause: err });
    default:
      return new StorageError('TRANSFER_FAILED', `The transfer failed${code ? ` (${code})` : ''}.`, {
        cause: err,
      });
  }
}
