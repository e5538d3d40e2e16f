import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef, type RefObject } from 'react';
import { graphql } from '../../../gql';
import type { LogEntryFieldsFragment, LogLevel } from '../../../gql/graphql';
import { execute, type GraphQLRequestError } from '../../../lib/execute';
import { queryRoots } from '../../../lib/query-keys';
import { useSubscription } from '../../../lib/use-subscription';
import { appendEntries, MAX_ENTRIES } from '../lib/log-lines';

export const ListLogsQuery = graphql(`
  query ListLogs($requestId: ID, $minLevel: LogLevel, $last: Int, $allUsers: Boolean) {
    logs(requestId: $requestId, minLevel: $minLevel, last: $last, allUsers: $allUsers) {
      ...LogEntryFields
    }
  }
`);

export const LogAppendedSubscription = graphql(`
  subscription LogAppended($requestId: ID, $minLevel: LogLevel, $allUsers: Boolean) {
    logAppended(requestId: $requestId, minLevel: $minLevel, allUsers: $allUsers) {
      ...LogEntryFields
    }
  }
`);

export interface LogStreamParams {
  requestId: string | null;
  /** What the server sends; finer filtering happens in the viewer. */
  minLevel: LogLevel;
  allUsers: boolean;
}

/** How much history to load when the viewer opens. */
export const INITIAL_ENTRIES = 2000;
/** Entries arriving within this window are added in one cache write (one re-render). */
const FLUSH_MS = 150;

export const logStreamKey = (params: LogStreamParams) => [queryRoots.logs, 'stream', params] as const;

/**
 * The recent entries, then every new one as it is written. History comes from `logs`, new lines
 * from `logAppended`; both land in the same React Query entry. The subscription starts together
 * with the first load and entries seen twice (in both) are kept once, so nothing falls between.
 */
export function useLogStream(params: LogStreamParams, options: { onError?: (error: GraphQLRequestError) => void } = {}) {
  const queryClient = useQueryClient();
  const key = logStreamKey(params);
  const query = useQuery({
    queryKey: key,
    queryFn: ({ signal }) =>
      execute(
        ListLogsQuery,
        { requestId: params.requestId, minLevel: params.minLevel, last: INITIAL_ENTRIES, allUsers: params.allUsers },
        { signal },
      ).then((data) => data.logs),
    // The subscription keeps it current; a refetch would drop everything streamed since.
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });

  const buffer = useRef<LogEntryFieldsFragment[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const keyJson = JSON.stringify(key);

  const flush = () => {
    timer.current = null;
    flushInto(queryClient, key, buffer);
  };

  const hasHistory = query.data !== undefined;
  useEffect(() => {
    if (hasHistory) flushInto(queryClient, JSON.parse(keyJson) as ReturnType<typeof logStreamKey>, buffer);
  }, [hasHistory, keyJson, queryClient]);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
      // Entries of the previous filter must not leak into the next one.
      buffer.current = [];
    },
    [keyJson],
  );

  useSubscription(
    LogAppendedSubscription,
    { requestId: params.requestId, minLevel: params.minLevel, allUsers: params.allUsers },
    {
      onData: (data) => {
        buffer.current.push(data.logAppended);
        timer.current ??= setTimeout(flush, FLUSH_MS);
      },
      onError: options.onError,
    },
  );

  return query;
}

/** Moves buffered entries into the cached history; until the history has arrived they wait. */
function flushInto(queryClient: QueryClient, key: ReturnType<typeof logStreamKey>, buffer: RefObject<LogEntryFieldsFragment[]>): void {
  const current = queryClient.getQueryData<LogEntryFieldsFragment[]>(key);
  if (!current || buffer.current.length === 0) return;
  const pending = buffer.current;
  buffer.current = [];
  queryClient.setQueryData(key, appendEntries(current, pending, MAX_ENTRIES));
}
