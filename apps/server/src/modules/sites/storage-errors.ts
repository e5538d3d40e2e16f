import { StorageError } from '@stagecoach/storage';
import { AppError, ERROR_CODES, type ErrorCode } from '../../lib/errors';

const API_CODES = new Set<string>(ERROR_CODES);

/** Storage failures carry closed codes and safe messages: pass them on as AppErrors. */
export function toAppError(e: unknown): unknown {
  if (e instanceof StorageError) {
    const code = (API_CODES.has(e.code) ? e.code : 'BAD_USER_INPUT') as ErrorCode;
    return new AppError(code, e.message);
  }
  return e;
}
