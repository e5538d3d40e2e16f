import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import type { RequestStatus } from '../../../gql/graphql';
import { execute } from '../../../lib/execute';
import { requestKeys } from './keys';

export const ListRequestsQuery = graphql(`
  query ListRequests($first: Int, $after: String, $status: [RequestStatus!], $mine: Boolean) {
    stagingRequests(first: $first, after: $after, status: $status, mine: $mine) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...RequestFields
      }
    }
  }
`);

export interface ListRequestsParams {
  mine: boolean;
  status: readonly RequestStatus[];
  after: string | null;
  first: number;
}

export const listRequestsQueryOptions = (params: ListRequestsParams) =>
  queryOptions({
    queryKey: requestKeys.list(params),
    queryFn: ({ signal }) =>
      execute(
        ListRequestsQuery,
        { first: params.first, after: params.after, status: params.status.length ? [...params.status] : null, mine: params.mine },
        { signal },
      ),
    select: (data) => data.stagingRequests,
  });

/**
 * One page of requests. Running ones are kept current by subscriptions (see useWatchRequest);
 * the periodic refetch picks up requests created elsewhere (another tab, the CLI, the API).
 */
export function useListRequests(params: ListRequestsParams) {
  return useQuery({ ...listRequestsQueryOptions(params), placeholderData: keepPreviousData, refetchInterval: 15_000 });
}
