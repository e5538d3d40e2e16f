/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment RequestSummary on StagingRequest {\n    id\n    status\n    method\n    filesTotal\n    filesDone\n    filesSkipped\n    filesFailed\n    filesCancelled\n    bytesTotal\n    bytesDone\n    createdAt\n    finishedAt\n    expiresAt\n    downloadUrl\n  }\n": typeof types.RequestSummaryFragmentDoc,
    "\n  fragment FileFields on StagedFile {\n    id\n    source\n    target\n    status\n    checksum\n    sizeBytes\n    bytesDone\n    attempts\n    downloadUrl\n    accessUrl\n    finishedAt\n    error {\n      code\n      message\n    }\n  }\n": typeof types.FileFieldsFragmentDoc,
    "\n  mutation ClientStage($input: StageInput!) {\n    stage(input: $input) {\n      ...RequestSummary\n    }\n  }\n": typeof types.ClientStageDocument,
    "\n  query ClientRequest($id: ID!) {\n    stagingRequest(id: $id) {\n      ...RequestSummary\n    }\n  }\n": typeof types.ClientRequestDocument,
    "\n  query ClientFiles($id: ID!, $first: Int!, $after: String, $status: [FileStatus!]) {\n    stagingRequest(id: $id) {\n      id\n      files(first: $first, after: $after, status: $status) {\n        totalCount\n        pageInfo {\n          endCursor\n          hasNextPage\n        }\n        nodes {\n          ...FileFields\n        }\n      }\n    }\n  }\n": typeof types.ClientFilesDocument,
    "\n  mutation ClientCancel($id: ID!) {\n    cancelStagingRequest(id: $id) {\n      ...RequestSummary\n    }\n  }\n": typeof types.ClientCancelDocument,
    "\n  mutation ClientRetry($id: ID!) {\n    retryStagingRequest(id: $id) {\n      ...RequestSummary\n    }\n  }\n": typeof types.ClientRetryDocument,
    "\n  subscription ClientRequestUpdated($id: ID!) {\n    stagingRequestUpdated(id: $id) {\n      ...RequestSummary\n    }\n  }\n": typeof types.ClientRequestUpdatedDocument,
};
const documents: Documents = {
    "\n  fragment RequestSummary on StagingRequest {\n    id\n    status\n    method\n    filesTotal\n    filesDone\n    filesSkipped\n    filesFailed\n    filesCancelled\n    bytesTotal\n    bytesDone\n    createdAt\n    finishedAt\n    expiresAt\n    downloadUrl\n  }\n": types.RequestSummaryFragmentDoc,
    "\n  fragment FileFields on StagedFile {\n    id\n    source\n    target\n    status\n    checksum\n    sizeBytes\n    bytesDone\n    attempts\n    downloadUrl\n    accessUrl\n    finishedAt\n    error {\n      code\n      message\n    }\n  }\n": types.FileFieldsFragmentDoc,
    "\n  mutation ClientStage($input: StageInput!) {\n    stage(input: $input) {\n      ...RequestSummary\n    }\n  }\n": types.ClientStageDocument,
    "\n  query ClientRequest($id: ID!) {\n    stagingRequest(id: $id) {\n      ...RequestSummary\n    }\n  }\n": types.ClientRequestDocument,
    "\n  query ClientFiles($id: ID!, $first: Int!, $after: String, $status: [FileStatus!]) {\n    stagingRequest(id: $id) {\n      id\n      files(first: $first, after: $after, status: $status) {\n        totalCount\n        pageInfo {\n          endCursor\n          hasNextPage\n        }\n        nodes {\n          ...FileFields\n        }\n      }\n    }\n  }\n": types.ClientFilesDocument,
    "\n  mutation ClientCancel($id: ID!) {\n    cancelStagingRequest(id: $id) {\n      ...RequestSummary\n    }\n  }\n": types.ClientCancelDocument,
    "\n  mutation ClientRetry($id: ID!) {\n    retryStagingRequest(id: $id) {\n      ...RequestSummary\n    }\n  }\n": types.ClientRetryDocument,
    "\n  subscription ClientRequestUpdated($id: ID!) {\n    stagingRequestUpdated(id: $id) {\n      ...RequestSummary\n    }\n  }\n": types.ClientRequestUpdatedDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RequestSummary on StagingRequest {\n    id\n    status\n    method\n    filesTotal\n    filesDone\n    filesSkipped\n    filesFailed\n    filesCancelled\n    bytesTotal\n    bytesDone\n    createdAt\n    finishedAt\n    expiresAt\n    downloadUrl\n  }\n"): typeof import('./graphql').RequestSummaryFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment FileFields on StagedFile {\n    id\n    source\n    target\n    status\n    checksum\n    sizeBytes\n    bytesDone\n    attempts\n    downloadUrl\n    accessUrl\n    finishedAt\n    error {\n      code\n      message\n    }\n  }\n"): typeof import('./graphql').FileFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientStage($input: StageInput!) {\n    stage(input: $input) {\n      ...RequestSummary\n    }\n  }\n"): typeof import('./graphql').ClientStageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ClientRequest($id: ID!) {\n    stagingRequest(id: $id) {\n      ...RequestSummary\n    }\n  }\n"): typeof import('./graphql').ClientRequestDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ClientFiles($id: ID!, $first: Int!, $after: String, $status: [FileStatus!]) {\n    stagingRequest(id: $id) {\n      id\n      files(first: $first, after: $after, status: $status) {\n        totalCount\n        pageInfo {\n          endCursor\n          hasNextPage\n        }\n        nodes {\n          ...FileFields\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').ClientFilesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientCancel($id: ID!) {\n    cancelStagingRequest(id: $id) {\n      ...RequestSummary\n    }\n  }\n"): typeof import('./graphql').ClientCancelDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientRetry($id: ID!) {\n    retryStagingRequest(id: $id) {\n      ...RequestSummary\n    }\n  }\n"): typeof import('./graphql').ClientRetryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ClientRequestUpdated($id: ID!) {\n    stagingRequestUpdated(id: $id) {\n      ...RequestSummary\n    }\n  }\n"): typeof import('./graphql').ClientRequestUpdatedDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
