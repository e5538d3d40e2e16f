import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import { execute } from '../../../lib/execute';

export const BrowseSourceQuery = graphql(`
  query BrowseSource($siteId: ID, $path: String) {
    browse(siteId: $siteId, path: $path) {
      name
      path
      isDirectory
      sizeBytes
    }
  }
`);

export const browseSourceQueryOptions = (siteId: string | null, path: string) =>
  queryOptions({
    queryKey: ['staging', 'browse', siteId, path] as const,
    queryFn: ({ signal }) => execute(BrowseSourceQuery, { siteId, path }, { signal }),
    select: (data) => data.browse,
  });

/** One folder of a source site; keeps showing the previous folder while the next one loads. */
export function useBrowseSource(siteId: string | null, path: string, enabled = true) {
  return useQuery({ ...browseSourceQueryOptions(siteId, path), enabled, placeholderData: keepPreviousData });
}
