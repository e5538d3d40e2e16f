import { describe, expect, it } from 'vitest';
import {
  API_ERROR_CODES,
  ERROR_CODES,
  FILE_ERROR_CODES,
  FILE_ONLY_ERROR_CODES,
  isApiErrorCode,
  isErrorCode,
} from './error-codes';

describe('error codes', () => {
  it('lists the closed API list of the contract', () => {
    expect([...API_ERROR_CODES].sort()).toEqual(
      [
        'UNAUTHENTICATED',
        'FORBIDDEN',
        'USER_NOT_APPROVED',
        'NOT_FOUND',
        'BAD_USER_INPUT',
        'METHOD_NOT_ALLOWED',
        'SOURCE_NOT_FOUND',
        'PATH_OUTSIDE_ROOT',
        'TARGET_EXISTS',
        'NOT_CANCELLABLE',
        'ALREADY_DECIDED',
        'RATE_LIMITED',
        'SITE_UNAVAILABLE',
        'INTERNAL_SERVER_ERROR',
      ].sort(),
    );
  });

  it('gives staged files the API codes plus the four transfer codes', () => {
    expect(FILE_ONLY_ERROR_CODES).toEqual(['CHECKSUM_MISMATCH', 'TRANSFER_FAILED', 'QUOTA_EXCEEDED', 'CANCELLED']);
    expect(FILE_ERROR_CODES).toEqual([...API_ERROR_CODES, ...FILE_ONLY_ERROR_CODES]);
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it('tells API codes from file-only codes', () => {
    expect(isApiErrorCode('NOT_FOUND')).toBe(true);
    expect(isApiErrorCode('CHECKSUM_MISMATCH')).toBe(false);
    expect(isErrorCode('CHECKSUM_MISMATCH')).toBe(true);
    expect(isErrorCode('ENOENT')).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });
});
