/** The shape of one entry of a GraphQL response's `errors`. */
export interface GraphQLErrorEntry {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

/**
 * Every failure of the client. `code` is the server's `extensions.code` (UNAUTHENTICATED,
 * NOT_FOUND, PATH_OUTSIDE_ROOT, RATE_LIMITED, …) or one of the client's own:
 * NETWORK_ERROR (no answer after the retries), HTTP_ERROR (an answer that is not GraphQL, or a
 * failed download; see `status`), TIMEOUT (waitFor), NO_DOWNLOAD_URL (download of a request
 * without a link), CLOSED (the client was closed while waiting).
 */
export class StagecoachError extends Error {
  override readonly name = 'StagecoachError';
  readonly code: string;
  /** The server's `extensions` of the first error (e.g. `items` for per-item validation errors). */
  readonly extensions: Record<string, unknown>;
  /** Seconds to wait before trying again (RATE_LIMITED). */
  readonly retryAfter?: number;
  /** HTTP status of the answer, when there was one. */
  readonly status?: number;
  /** All errors of the response (the first one gives code and message). */
  readonly errors: readonly GraphQLErrorEntry[];

  constructor(
    code: string,
    message: string,
    opts: {
      extensions?: Record<string, unknown>;
      retryAfter?: number;
      status?: number;
      errors?: readonly GraphQLErrorEntry[];
      cause?: unknown;
    } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.extensions = opts.extensions ?? {};
    if (opts.retryAfter !== undefined) this.retryAfter = opts.retryAfter;
    if (opts.status !== undefined) this.status = opts.status;
    this.errors = opts.errors ?? [];
  }

  /** The error for a GraphQL response's `errors` (code and message of the first one). */
  static fromGraphQL(errors: readonly GraphQLErrorEntry[], status?: number, retryAfterHeader?: number): StagecoachError {
    const first = errors[0] ?? { message: 'unknown GraphQL error' };
    const extensions = first.extensions ?? {};
    const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR';
    const retryAfter = typeof extensions.retryAfter === 'number' ? extensions.retryAfter : retryAfterHeader;
    return new StagecoachError(code, first.message, {
      extensions,
      errors,
      ...(retryAfter === undefined ? {} : { retryAfter }),
      ...(status === undefined ? {} : { status }),
    });
  }
}
