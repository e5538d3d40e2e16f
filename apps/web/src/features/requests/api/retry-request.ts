import { useMutation, useQueryClient } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import { execute } from '../../../lib/execute';
import { requestKeys } from './keys';
import { applyRequestUpdate } from './watch-request';

export const RetryRequestMutation = graphql(`
  mutation RetryRequest($id: ID!) {
    retryStagingRequest(id: $id) {
      ...RequestFields
    }
  }
`);

/** Re-queues the failed files of a finished request. */
export function useRetryRequest() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => execute(RetryRequestMutation, { id }).then((data) => data.retryStagingRequest),
    onSuccess: (request) => {
      applyRequestUpdate(queryClient, request);
      void queryClient.invalidateQueries({ queryKey: requestKeys.filesOf(request.id) });
      void queryClient.invalidateQueries({ queryKey: requestKeys.lists() });
    },
  });
}
