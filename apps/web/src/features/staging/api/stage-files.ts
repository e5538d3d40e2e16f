import { useMutation, useQueryClient } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import type { StageInput } from '../../../gql/graphql';
import { execute } from '../../../lib/execute';
import { queryRoots } from '../../../lib/query-keys';

export const StageFilesMutation = graphql(`
  mutation StageFiles($input: StageInput!) {
    stage(input: $input) {
      id
      status
      filesTotal
    }
  }
`);

/** Submits a staging request; on success the requests lists refresh. */
export function useStageFiles() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: StageInput) => execute(StageFilesMutation, { input }).then((data) => data.stage),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [queryRoots.requests] }),
  });
}
