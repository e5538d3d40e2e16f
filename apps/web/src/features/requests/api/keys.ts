import type { RequestStatus } from '../../../gql/graphql';
import { queryRoots } from '../../../lib/query-keys';

export const requestKeys = {
  all: [queryRoots.requests] as const,
  lists: () => [queryRoots.requests, 'list'] as const,
  list: (params: { mine: boolean; status: readonly RequestStatus[]; after: string | null; first: number }) =>
    [queryRoots.requests, 'list', params] as const,
  detail: (id: string) => [queryRoots.requests, 'detail', id] as const,
  files: (id: string, status: readonly string[]) => [queryRoots.requests, 'files', id, status] as const,
  filesOf: (id: string) => [queryRoots.requests, 'files', id] as const,
};
