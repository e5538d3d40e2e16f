import { useEffect, useEffectEvent, useSyncExternalStore } from 'react';
import type { TypedDocumentString } from '../gql/graphql';
import type { GraphQLRequestError } from './execute';
import { getLiveStatus, onLiveStatusChange, subscribe, type LiveStatus } from './ws-client';

export interface UseSubscriptionOptions<TResult> {
  /** Subscribe only while true (e.g. once the thing to watch is known and still changing). */
  enabled?: boolean;
  onData: (data: TResult) => void;
  onError?: (error: GraphQLRequestError) => void;
}

/**
 * Keeps one GraphQL subscription open over the app's single graphql-ws client while the calling
 * component is mounted; re-subscribes when the variables change. Results go to `onData`, which
 * usually writes them into the React Query cache, so server state still lives in one place.
 */
export function useSubscription<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  { enabled = true, onData, onError }: UseSubscriptionOptions<TResult>,
): void {
  const handleData = useEffectEvent(onData);
  const handleError = useEffectEvent((error: GraphQLRequestError) => onError?.(error));
  // Variables are plain JSON: compare them by value so inline objects do not re-subscribe.
  const key = JSON.stringify(variables ?? {});

  useEffect(() => {
    if (!enabled) return undefined;
    return subscribe(document, JSON.parse(key) as TVariables, {
      next: (data) => handleData(data),
      error: (error) => handleError(error),
    });
  }, [document, key, enabled]);
}

/** The live connection's state, for a "Live" / "Reconnecting…" indicator. */
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(onLiveStatusChange, getLiveStatus, () => 'idle');
}
