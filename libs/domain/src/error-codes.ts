/** Codes a GraphQL error carries in `extensions.code`: the closed list the API documents. */
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

/** Codes a staged file may fail with (`StagedFile.error.code`): the API's codes plus the transfer outcomes. */
export const STAGED_FILE_ERROR_CODES = [...API_ERROR_CODES, 'CHECKSUM_MISMATCH', 'TRANSFER_FAILED', 'QUOTA_EXCEEDED', 'CANCELLED'] as const;
export type StagedFileErrorCode = (typeof STAGED_FILE_ERROR_CODES)[number];
