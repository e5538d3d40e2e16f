import { queryOptions, useQuery } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import { execute } from '../../../lib/execute';

export const StageOptionsQuery = graphql(`
  query StageOptions {
    stagingMethods {
      method
      label
      description
    }
    sites {
      id
      name
      kind
      isSource
      isTarget
      isDefault
    }
  }
`);

// Methods and sites change only with a deployment's configuration.
export const stageOptionsQueryOptions = () =>
  queryOptions({
    queryKey: ['staging', 'options'] as const,
    queryFn: ({ signal }) => execute(StageOptionsQuery, {}, { signal }),
    staleTime: 5 * 60_000,
  });

/** Enabled methods (with descriptions) and the configured sites, for the staging form. */
export function useStageOptions() {
  return useQuery(stageOptionsQueryOptions());
}
