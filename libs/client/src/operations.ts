import { graphql } from './gql';

// The fields every method returns for a request and a file; `pnpm --filter @stagecoach/client
// codegen` turns these documents into the typed ones in ./gql.

export const RequestSummary = graphql(`
  fragment RequestSummary on StagingRequest {
    id
    status
    method
    filesTotal
    filesDone
    filesSkipped
    filesFailed
    filesCancelled
    bytesTotal
    bytesDone
    createdAt
    finishedAt
    expiresAt
    downloadUrl
  }
`);

export const FileFields = graphql(`
  fragment FileFields on StagedFile {
    id
    source
    target
    status
    checksum
    sizeBytes
    bytesDone
    attempts
    downloadUrl
    accessUrl
    finishedAt
    error {
      code
      message
    }
  }
`);

export const StageMutation = graphql(`
  mutation ClientStage($input: StageInput!) {
    stage(input: $input) {
      ...RequestSummary
    }
  }
`);

export const RequestQuery = graphql(`
  query ClientRequest($id: ID!) {
    stagingRequest(id: $id) {
      ...RequestSummary
    }
  }
`);

export const FilesQuery = graphql(`
  query ClientFiles($id: ID!, $first: Int!, $after: String, $status: [FileStatus!]) {
    stagingRequest(id: $id) {
      id
      files(first: $first, after: $after, status: $status) {
        totalCount
        pageInfo {
          endCursor
          hasNextPage
        }
        nodes {
          ...FileFields
        }
      }
    }
  }
`);

export const CancelMutation = graphql(`
  mutation ClientCancel($id: ID!) {
    cancelStagingRequest(id: $id) {
      ...RequestSummary
    }
  }
`);

export const RetryMutation = graphql(`
  mutation ClientRetry($id: ID!) {
    retryStagingRequest(id: $id) {
      ...RequestSummary
    }
  }
`);

export const UpdatedSubscription = graphql(`
  subscription ClientRequestUpdated($id: ID!) {
    stagingRequestUpdated(id: $id) {
      ...RequestSummary
    }
  }
`);
