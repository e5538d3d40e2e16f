import { queryOptions, useQuery } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import { execute } from '../../../lib/execute';
import { queryRoots } from '../../../lib/query-keys';

export const LogRequestChoicesQuery = graphql(`
  query LogRequestChoices($mine: Boolean) {
    stagingRequests(first: 50, mine: $mine) {
      nodes {
        id
        method
        status
        createdAt
        filesTotal
        owner {
          email
        }
      }
    }
  }
`);

export const logRequestChoicesQueryOptions = (mine: boolean) =>
  queryOptions({
    queryKey: [queryRoots.requests, 'log-choices', mine] as const,
    queryFn: ({ signal }) => execute(LogRequestChoicesQuery, { mine }, { signal }),
    select: (data) => data.stagingRequests.nodes,
  });

/** Recent requests to offer in the log viewer's request filter. */
export function useLogRequestChoices(mine: boolean) {
  return useQuery(logRequestChoicesQueryOptions(mine));
}
