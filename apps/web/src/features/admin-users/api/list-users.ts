import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import type { UserStatus } from '../../../gql/graphql';
import { execute } from '../../../lib/execute';
import { queryRoots } from '../../../lib/query-keys';

export const ListUsersQuery = graphql(`
  query ListUsers($status: UserStatus) {
    users(status: $status) {
      ...AdminUserFields
    }
  }
`);

export const listUsersQueryOptions = (status: UserStatus | null) =>
  queryOptions({
    queryKey: [queryRoots.users, 'list', status] as const,
    queryFn: ({ signal }) => execute(ListUsersQuery, { status }, { signal }),
    select: (data) => data.users,
  });

/** Users, optionally with one status (administrators only). */
export function useUsers(status: UserStatus | null, options: { refetchInterval?: number } = {}) {
  return useQuery({ ...listUsersQueryOptions(status), placeholderData: keepPreviousData, ...options });
}
