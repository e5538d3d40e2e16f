import { StorageError } from '@stagecoach/storage';
import { AppError, APP_ERROR_CODES, type AppErrorCode } from '../../lib/errors';

const APP_CODES = new Set<string>(APP_ERROR_CODES);

/** Storage failures carry closed codes and safe messages: pass them on as AppErrors. */
export function toAppError(e: unknown): unknown {
  if (e instanceof StorageError) {
    const code = (APP_CODES.has(e.code) ? e.code : 'BAD_USER_INPUT') as AppErrorCode;
    return new AppError(code, e.message);
  }
  return e;
}
