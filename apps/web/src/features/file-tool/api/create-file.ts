import { useMutation } from '@tanstack/react-query';
import { graphql } from '../../../gql';
import type { CreateFileInput } from '../../../gql/graphql';
import { execute } from '../../../lib/execute';

export const CreateFileMutation = graphql(`
  mutation CreateFile($input: CreateFileInput!) {
    createFile(input: $input) {
      path
      sizeBytes
      checksum
    }
  }
`);

/** Creates a test file in the source site's sandbox folder. */
export function useCreateFile() {
  return useMutation({
    mutationFn: (input: CreateFileInput) => execute(CreateFileMutation, { input }).then((data) => data.createFile),
  });
}
