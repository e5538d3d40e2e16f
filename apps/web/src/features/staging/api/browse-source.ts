import { infiniteQueryOptions, keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import { execute } from '../../../lib/execute';

export const BrowseSourceQuery = graphql(`
  query BrowseSource($siteId: ID, $path: String, $first: Int, $after: String) {
    browse(siteId: $siteId, path: $path, first: $first, after: $after) {
      name
      path
      isDirectory
      sizeBytes
      cursor
    }
  }
`);

/** Entries per page: a folder of a million files costs the server (and this page) one page at a time. */
export const BROWSE_PAGE_SIZE = 200;

export const browseSourceQueryOptions = (siteId: string | null, path: string) =>
  infiniteQueryOptions({
    queryKey: ['staging', 'browse', siteId, path] as const,
    queryFn: async ({ signal, pageParam }) =>
      (await execute(BrowseSourceQuery, { siteId, path, first: BROWSE_PAGE_SIZE, after: pageParam }, { signal })).browse,
    initialPageParam: null as string | null,
    // A short page is the last one.
    getNextPageParam: (lastPage) => (lastPage.length < BROWSE_PAGE_SIZE ? undefined : (lastPage.at(-1)?.cursor ?? undefined)),
    select: (data) => data.pages.flat(),
  });

/** One folder of a source site, page by page (`fetchNextPage` loads more); keeps showing the previous folder while the next one loads. */
export function useBrowseSource(siteId: string | null, path: string, enabled = true) {
  return useInfiniteQuery({ ...browseSourceQueryOptions(siteId, path), enabled, placeholderData: keepPreviousData });
}
