import { queryOptions, useQuery } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import { execute } from '../../../lib/execute';

export const ListTokensQuery = graphql(`
  query ListApiTokens {
    apiTokens {
      id
      name
      createdAt
      expiresAt
      lastUsedAt
      revokedAt
    }
  }
`);

export const tokensQueryOptions = () =>
  queryOptions({
    queryKey: ['tokens', 'list'] as const,
    queryFn: ({ signal }) => execute(ListTokensQuery, {}, { signal }),
    select: (data) => data.apiTokens,
  });

/** The signed-in user's API tokens, newest first. */
export function useApiTokens() {
  return useQuery(tokensQueryOptions());
}
