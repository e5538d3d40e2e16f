import { queryOptions, useQuery } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import { execute } from '../../../lib/execute';

export const ListMethodsQuery = graphql(`
  query ListMethods {
    stagingMethods {
      method
      label
      description
    }
  }
`);

// Enabled methods change only with a deployment's configuration.
export const listMethodsQueryOptions = () =>
  queryOptions({
    queryKey: ['methods', 'list'] as const,
    queryFn: ({ signal }) => execute(ListMethodsQuery, {}, { signal }),
    select: (data) => data.stagingMethods,
    staleTime: 5 * 60_000,
  });

export function useListMethods() {
  return useQuery(listMethodsQueryOptions());
}
