import { useMutation, useQueryClient } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import { execute } from '../../../lib/execute';

export const CreateTokenMutation = graphql(`
  mutation CreateApiToken($name: String!, $expiresInDays: Int) {
    createApiToken(name: $name, expiresInDays: $expiresInDays) {
      secret
      token {
        id
        name
        expiresAt
      }
    }
  }
`);

/** Creates a token; the answer carries its secret, which is never shown again. */
export function useCreateToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; expiresInDays: number | null }) =>
      execute(CreateTokenMutation, input).then((data) => data.createApiToken),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tokens'] }),
  });
}
