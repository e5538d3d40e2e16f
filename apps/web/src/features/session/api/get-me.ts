import { queryOptions, useQuery } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import { execute } from '../../../lib/execute';

export const GetMeQuery = graphql(`
  query GetMe {
    me {
      id
      username
      name
      email
      role
      status
      createdAt
    }
  }
`);

export const getMeQueryOptions = () =>
  queryOptions({
    queryKey: ['session', 'me'] as const,
    queryFn: ({ signal }) => execute(GetMeQuery, {}, { signal }),
    select: (data) => data.me,
    staleTime: 60_000,
  });

/** The signed-in user, or `null` when anonymous. */
export function useMe() {
  return useQuery(getMeQueryOptions());
}
