import { API_ERROR_CODES } from '@stagecoach/domain';
import { GraphQLError } from 'graphql';

/**
 * Codes an AppError may carry, so every code the server answers with (GraphQL `extensions.code`,
 * REST): the API's codes plus QUOTA_EXCEEDED, which `stage` answers before queuing over a quota.
 */
export const APP_ERROR_CODES = [...API_ERROR_CODES, 'QUOTA_EXCEEDED'] as const;
export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

/** HTTP status for each code, used by the REST routes; `satisfies` makes a missing code a compile error. */
export const HTTP_STATUS = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  USER_NOT_APPROVED: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  METHOD_NOT_ALLOWED: 400,
  SOURCE_NOT_FOUND: 400,
  PATH_OUTSIDE_ROOT: 400,
  TARGET_EXISTS: 409,
  NOT_CANCELLABLE: 409,
  ALREADY_DECIDED: 409,
  RATE_LIMITED: 429,
  SITE_UNAVAILABLE: 503,
  QUOTA_EXCEEDED: 403,
  INTERNAL_SERVER_ERROR: 500,
} as const satisfies Record<AppErrorCode, number>;

/** An expected failure: its code and message reach the caller as they are. */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  toGraphQLError(): GraphQLError {
    return new GraphQLError(this.message, { originalError: this, extensions: { ...this.extensions, code: this.code } });
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
