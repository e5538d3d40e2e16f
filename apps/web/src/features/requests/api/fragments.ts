import { graphql } from '../../../gql';

/** What lists and the detail page show about a request; subscriptions select the same fields. */
export const RequestFieldsFragment = graphql(`
  fragment RequestFields on StagingRequest {
    id
    number
    method
    status
    createdAt
    startedAt
    finishedAt
    expiresAt
    filesTotal
    filesDone
    filesSkipped
    filesFailed
    filesCancelled
    bytesTotal
    bytesDone
    downloadUrl
    owner {
      id
      email
      username
      name
    }
  }
`);

export const StagedFileFieldsFragment = graphql(`
  fragment StagedFileFields on StagedFile {
    id
    source
    target
    status
    sizeBytes
    bytesDone
    checksum
    attempts
    startedAt
    finishedAt
    downloadUrl
    accessUrl
    error {
      code
      stack
    }
  }
`);
