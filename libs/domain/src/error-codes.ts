/** Codes that GraphQL errors carry in `extensions.code` (closed list of the API contract). */
export const API_ERROR_CODES = [
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
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** Codes that only a staged file's error can carry, on top of the API codes. */
export const FILE_ONLY_ERROR_CODES = ['CHECKSUM_MISMATCH', 'TRANSFER_FAILED', 'QUOTA_EXCEEDED', 'CANCELLED'] as const;
export type FileOnlyErrorCode = (typeof FILE_ONLY_ERROR_CODES)[number];

/** Every code a `StagedFile.error.code` may hold. */
export const FILE_ERROR_CODES = [...API_ERROR_CODES, ...FILE_ONLY_ERROR_CODES] as const;
export type FileErrorCode = (typeof FILE_ERROR_CODES)[number];

/** Every error code Stagecoach emits anywhere. */
export const ERROR_CODES = FILE_ERROR_CODES;
export type ErrorCode = FileErrorCode;

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && (API_ERROR_CODES as readonly string[]).includes(value);
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
