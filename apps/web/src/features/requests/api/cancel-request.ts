import { useMutation, useQueryClient } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import { execute } from '../../../lib/execute';
import { requestKeys } from './keys';
import { applyRequestUpdate } from './watch-request';

export const CancelRequestMutation = graphql(`
  mutation CancelRequest($id: ID!) {
    cancelStagingRequest(id: $id) {
      ...RequestFields
    }
  }
`);

/** Cancels a queued or running request (pending files stop at once, running ones shortly after). */
export function useCancelRequest() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => execute(CancelRequestMutation, { id }).then((data) => data.cancelStagingRequest),
    onSuccess: (request) => {
      applyRequestUpdate(queryClient, request);
      void queryClient.invalidateQueries({ queryKey: requestKeys.filesOf(request.id) });
      void queryClient.invalidateQueries({ queryKey: requestKeys.lists() });
    },
  });
}
