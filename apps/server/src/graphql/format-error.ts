import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { APP_ERROR_CODES, isAppError } from '../lib/errors';
import type { Logger } from '../lib/logger';

const PASS_THROUGH = new Set<string>(APP_ERROR_CODES);
// Errors GraphQL itself raises for malformed operations; their messages are safe and useful.
const GRAPHQL_CODES: Record<string, string> = {
  GRAPHQL_PARSE_FAILED: 'BAD_USER_INPUT',
  GRAPHQL_VALIDATION_FAILED: 'BAD_USER_INPUT',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  BAD_REQUEST: 'BAD_USER_INPUT',
  PERSISTED_QUERY_NOT_FOUND: 'BAD_USER_INPUT',
  OPERATION_RESOLUTION_FAILURE: 'BAD_USER_INPUT',
};

/**
 * The one place errors leave the server: AppError codes pass through with their message; GraphQL
 * syntax/validation errors become BAD_USER_INPUT; everything else is logged and masked.
 */
export function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // AppErrors thrown by plugins (e.g. the rate limit) arrive wrapped, without a path.
    const unwrapped = unwrapResolverError(error);
    const original = unwrapped instanceof GraphQLError && isAppError(unwrapped.originalError) ? unwrapped.originalError : unwrapped;
    if (isAppError(original)) {
      return { message: original.message, path: formatted.path, extensions: { ...original.extensions, code: original.code } };
    }
    const code = String(formatted.extensions?.code ?? '');
    if (GRAPHQL_CODES[code]) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code: GRAPHQL_CODES[code] } };
    }
    if (PASS_THROUGH.has(code) && code !== 'INTERNAL_SERVER_ERROR') {
      return { message: formatted.message, path: formatted.path, extensions: { code } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected GraphQL error');
    return { message: 'Something went wrong on our side; it has been logged.', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
