import type { TypedDocumentString } from '../gql/graphql';
import type { ErrorCode } from './errors';

export const GRAPHQL_PATH = '/graphql';

/**
 * The server refuses cookie-authenticated requests without this header: a cross-site form or
 * image cannot set custom headers, so its presence proves the request came from our own code.
 */
export const CSRF_HEADER = { 'x-stagecoach-csrf': '1' } as const;

export interface GraphQLErrorItem {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

/** A failed GraphQL operation; `code` is the first error's `extensions.code` (see errors.ts). */
export class GraphQLRequestError extends Error {
  override readonly name = 'GraphQLRequestError';
  readonly code: ErrorCode | (string & {});
  readonly errors: readonly GraphQLErrorItem[];
  readonly status: number | undefined;

  constructor(options: {
    code: string;
    message: string;
    errors?: readonly GraphQLErrorItem[];
    status?: number;
    cause?: unknown;
  }) {
    super(options.message, { cause: options.cause });
    this.code = options.code;
    this.errors = options.errors ?? [];
    this.status = options.status;
  }

  /** `extensions` of the first error, e.g. `items` listing missing sources. */
  get extensions(): Record<string, unknown> {
    return this.errors[0]?.extensions ?? {};
  }
}

export interface ExecuteOptions {
  signal?: AbortSignal;
}

type NoVariables = Record<string, never>;

// Operations without variables take none; others require them, as the codegen types say.
type ExecuteArgs<TVariables> = TVariables extends NoVariables
  ? [variables?: TVariables, options?: ExecuteOptions]
  : [variables: TVariables, options?: ExecuteOptions];

interface GraphQLResponseBody<TResult> {
  data?: TResult | null;
  errors?: GraphQLErrorItem[];
}

/** Runs one typed GraphQL operation over HTTP and returns its `data`, or throws GraphQLRequestError. */
export async function execute<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  ...[variables, options]: ExecuteArgs<TVariables>
): Promise<TResult> {
  let response: Response;
  try {
    response = await fetch(GRAPHQL_PATH, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...CSRF_HEADER,
      },
      body: JSON.stringify({ query: document.toString(), variables: variables ?? {} }),
      signal: options?.signal ?? null,
    });
  } catch (cause) {
    // Let React Query see its own cancellation untouched.
    if (options?.signal?.aborted) throw cause;
    throw new GraphQLRequestError({ code: 'NETWORK_ERROR', message: 'Network request failed', cause });
  }

  // GraphQL-over-HTTP answers errors with 4xx and a JSON body, so read the body before the status.
  let body: GraphQLResponseBody<TResult> | undefined;
  try {
    body = (await response.json()) as GraphQLResponseBody<TResult>;
  } catch (cause) {
    throw new GraphQLRequestError({
      code: response.status >= 500 || response.status === 0 ? 'NETWORK_ERROR' : 'BAD_RESPONSE',
      message: `Unreadable response (HTTP ${response.status})`,
      status: response.status,
      cause,
    });
  }

  if (body?.errors?.length) {
    const [first] = body.errors;
    throw new GraphQLRequestError({
      code: first?.extensions?.code ?? codeForStatus(response.status),
      message: first?.message ?? 'GraphQL error',
      errors: body.errors,
      status: response.status,
    });
  }
  if (!response.ok || body?.data == null) {
    throw new GraphQLRequestError({
      code: codeForStatus(response.status),
      message: `Request failed (HTTP ${response.status})`,
      status: response.status,
    });
  }
  return body.data;
}

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'INTERNAL_SERVER_ERROR';
  return 'BAD_RESPONSE';
}
