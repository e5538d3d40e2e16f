import { createClient, type Client, type Sink } from 'graphql-ws';
import type { TypedDocumentString } from '../gql/graphql';
import { GraphQLRequestError, GRAPHQL_PATH, type GraphQLErrorItem } from './execute';

/** Module-wide on purpose: the whole app shares one WebSocket, opened on the first subscription. */
let client: Client | undefined;

/** What live views tell the user about the socket: idle (no subscription), connecting, live or reconnecting. */
export type LiveStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting';

let status: LiveStatus = 'idle';
let everConnected = false;
const statusListeners = new Set<() => void>();

function setStatus(next: LiveStatus): void {
  if (next === status) return;
  status = next;
  for (const listener of statusListeners) listener();
}

/** Current socket state (for `useSyncExternalStore`). */
export function getLiveStatus(): LiveStatus {
  return status;
}

/** Calls `listener` whenever the socket state changes; returns the unsubscribe function. */
export function onLiveStatusChange(listener: () => void): () => void {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}

/** The WebSocket URL of `/graphql` on the page's own origin (wss: behind https:). */
export function graphqlWsUrl(location: Pick<Location, 'protocol' | 'host'> = window.location): string {
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${protocol}//${location.host}${GRAPHQL_PATH}`;
}

/**
 * The app's single graphql-ws client, created on first use. `lazy` opens the socket only while a
 * subscription is active; the browser sends the session cookie with the upgrade request.
 */
export function getWsClient(): Client {
  client ??= createClient({
    url: graphqlWsUrl(),
    lazy: true,
    // Close idle sockets after a short grace period so quick re-subscribes reuse the connection.
    lazyCloseTimeout: 3_000,
    // Keep retrying with graphql-ws's randomised back-off: live views should recover by themselves.
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    on: {
      connecting: () => setStatus(everConnected ? 'reconnecting' : 'connecting'),
      connected: () => {
        everConnected = true;
        setStatus('connected');
      },
      // A lazy client closes on purpose when the last subscription ends: that is idle, not a failure.
      closed: (event) => setStatus((event as CloseEvent | undefined)?.code === 1000 ? 'idle' : everConnected ? 'reconnecting' : 'connecting'),
    },
  });
  return client;
}

export interface SubscribeHandlers<TResult> {
  next: (data: TResult) => void;
  error?: (error: GraphQLRequestError) => void;
  complete?: () => void;
}

/** Starts a typed subscription; returns a function that stops it. */
export function subscribe<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  handlers: SubscribeHandlers<TResult>,
): () => void {
  const sink: Sink<{ data?: TResult | null; errors?: readonly GraphQLErrorItem[] }> = {
    next: (result) => {
      if (result.errors?.length) {
        const [first] = result.errors;
        handlers.error?.(
          new GraphQLRequestError({
            code: first?.extensions?.code ?? 'INTERNAL_SERVER_ERROR',
            message: first?.message ?? 'GraphQL error',
            errors: result.errors,
          }),
        );
        return;
      }
      if (result.data != null) handlers.next(result.data);
    },
    error: (cause) => {
      const errors = Array.isArray(cause) ? (cause as GraphQLErrorItem[]) : [];
      handlers.error?.(
        new GraphQLRequestError({
          code: errors[0]?.extensions?.code ?? 'NETWORK_ERROR',
          message: errors[0]?.message ?? 'Subscription failed',
          errors,
          cause,
        }),
      );
    },
    complete: () => handlers.complete?.(),
  };
  return getWsClient().subscribe(
    { query: document.toString(), variables: (variables ?? {}) as Record<string, unknown> },
    sink,
  );
}
