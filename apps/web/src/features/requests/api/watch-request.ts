import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { isTerminalRequestStatus } from '@stagecoach/domain';
import { graphql } from '../../../gql';
import type { RequestFieldsFragment } from '../../../gql/graphql';
import { useSubscription } from '../../../lib/use-subscription';
import { recordProgress } from '../lib/progress-samples';
import { requestKeys } from './keys';

export const RequestUpdatedSubscription = graphql(`
  subscription RequestUpdated($id: ID!) {
    stagingRequestUpdated(id: $id) {
      ...RequestFields
    }
  }
`);

interface ListPage {
  stagingRequests: { nodes: RequestFieldsFragment[] };
}

/** Writes a fresh request state into its detail entry and into every cached list page showing it. */
export function applyRequestUpdate(queryClient: QueryClient, request: RequestFieldsFragment): void {
  const previous = queryClient.getQueryData<RequestFieldsFragment>(requestKeys.detail(request.id));
  queryClient.setQueryData(requestKeys.detail(request.id), request);
  queryClient.setQueriesData<ListPage>({ queryKey: requestKeys.lists() }, (page) => {
    if (!page?.stagingRequests.nodes.some((node) => node.id === request.id)) return page;
    return {
      ...page,
      stagingRequests: {
        ...page.stagingRequests,
        nodes: page.stagingRequests.nodes.map((node) => (node.id === request.id ? request : node)),
      },
    };
  });
  if (previous && previous.status !== request.status && isTerminalRequestStatus(request.status)) {
    // A finished request may leave a status-filtered list, and its files have their final state.
    void queryClient.invalidateQueries({ queryKey: requestKeys.lists() });
    void queryClient.invalidateQueries({ queryKey: requestKeys.filesOf(request.id) });
  }
}

/**
 * Follows one request live (current state first, then every change) while `enabled`, typically
 * while it is queued or running. Progress samples feed the rate and ETA read-outs.
 */
export function useWatchRequest(id: string, enabled: boolean) {
  const queryClient = useQueryClient();
  useSubscription(
    RequestUpdatedSubscription,
    { id },
    {
      enabled,
      onData: (data) => {
        const request = data.stagingRequestUpdated;
        recordProgress(request.id, request.bytesDone, Date.now());
        applyRequestUpdate(queryClient, request);
      },
    },
  );
}
