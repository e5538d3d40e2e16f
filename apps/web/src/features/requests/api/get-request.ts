import { queryOptions, useQuery } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import { execute } from '../../../lib/execute';
import { requestKeys } from './keys';

export const GetRequestQuery = graphql(`
  query GetRequest($id: ID!) {
    stagingRequest(id: $id) {
      ...RequestFields
    }
  }
`);

export const getRequestQueryOptions = (id: string) =>
  queryOptions({
    queryKey: requestKeys.detail(id),
    queryFn: ({ signal }) => execute(GetRequestQuery, { id }, { signal }).then((data) => data.stagingRequest),
  });

export function useRequest(id: string) {
  return useQuery(getRequestQueryOptions(id));
}
