import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import type { FileStatus } from '../../../gql/graphql';
import { execute } from '../../../lib/execute';
import { requestKeys } from './keys';

export const RequestFilesQuery = graphql(`
  query RequestFiles($id: ID!, $first: Int, $after: String, $status: [FileStatus!]) {
    stagingRequest(id: $id) {
      id
      files(first: $first, after: $after, status: $status) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          ...StagedFileFields
        }
      }
    }
  }
`);

/** The server's largest page: fewer round trips for 10,000-file requests. */
export const FILES_PAGE_SIZE = 1000;

export const requestFilesQueryOptions = (id: string, status: readonly FileStatus[]) =>
  infiniteQueryOptions({
    queryKey: requestKeys.files(id, status),
    queryFn: ({ pageParam, signal }) =>
      execute(
        RequestFilesQuery,
        { id, first: FILES_PAGE_SIZE, after: pageParam, status: status.length ? [...status] : null },
        { signal },
      ).then((data) => data.stagingRequest.files),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.pageInfo.hasNextPage ? last.pageInfo.endCursor : undefined),
  });

/**
 * A request's files, page by page as the table scrolls. While the request runs, the loaded pages
 * are refreshed periodically (less often the more there are), so statuses move without a reload.
 */
export function useRequestFiles(id: string, status: readonly FileStatus[], live: boolean) {
  return useInfiniteQuery({
    ...requestFilesQueryOptions(id, status),
    refetchInterval: (query) => {
      if (!live) return false;
      const loaded = query.state.data?.pages.length ?? 1;
      return Math.min(2_000 * loaded, 10_000);
    },
  });
}
