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
    "\n  query ListMethods {\n    stagingMethods {\n      method\n      label\n      description\n    }\n  }\n": typeof types.ListMethodsDocument,
    "\n  mutation CancelRequest($id: ID!) {\n    cancelStagingRequest(id: $id) {\n      ...RequestFields\n    }\n  }\n": typeof types.CancelRequestDocument,
    "\n  fragment RequestFields on StagingRequest {\n    id\n    method\n    status\n    createdAt\n    startedAt\n    finishedAt\n    expiresAt\n    filesTotal\n    filesDone\n    filesSkipped\n    filesFailed\n    filesCancelled\n    bytesTotal\n    bytesDone\n    downloadUrl\n    owner {\n      id\n      email\n      username\n      name\n    }\n  }\n": typeof types.RequestFieldsFragmentDoc,
    "\n  fragment StagedFileFields on StagedFile {\n    id\n    source\n    target\n    status\n    sizeBytes\n    bytesDone\n    checksum\n    attempts\n    startedAt\n    finishedAt\n    downloadUrl\n    accessUrl\n    error {\n      code\n      stack\n    }\n  }\n": typeof types.StagedFileFieldsFragmentDoc,
    "\n  query GetRequest($id: ID!) {\n    stagingRequest(id: $id) {\n      ...RequestFields\n    }\n  }\n": typeof types.GetRequestDocument,
    "\n  query RequestFiles($id: ID!, $first: Int, $after: String, $status: [FileStatus!]) {\n    stagingRequest(id: $id) {\n      id\n      files(first: $first, after: $after, status: $status) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          ...StagedFileFields\n        }\n      }\n    }\n  }\n": typeof types.RequestFilesDocument,
    "\n  query ListRequests($first: Int, $after: String, $status: [RequestStatus!], $mine: Boolean) {\n    stagingRequests(first: $first, after: $after, status: $status, mine: $mine) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...RequestFields\n      }\n    }\n  }\n": typeof types.ListRequestsDocument,
    "\n  mutation RetryRequest($id: ID!) {\n    retryStagingRequest(id: $id) {\n      ...RequestFields\n    }\n  }\n": typeof types.RetryRequestDocument,
    "\n  subscription RequestUpdated($id: ID!) {\n    stagingRequestUpdated(id: $id) {\n      ...RequestFields\n    }\n  }\n": typeof types.RequestUpdatedDocument,
    "\n  query GetMe {\n    me {\n      id\n      username\n      name\n      email\n      role\n      status\n    }\n  }\n": typeof types.GetMeDocument,
    "\n  query BrowseSource($siteId: ID, $path: String) {\n    browse(siteId: $siteId, path: $path) {\n      name\n      path\n      isDirectory\n      sizeBytes\n    }\n  }\n": typeof types.BrowseSourceDocument,
    "\n  query StageOptions {\n    stagingMethods {\n      method\n      label\n      description\n    }\n    sites {\n      id\n      name\n      kind\n      isSource\n      isTarget\n      isDefault\n    }\n  }\n": typeof types.StageOptionsDocument,
    "\n  mutation StageFiles($input: StageInput!) {\n    stage(input: $input) {\n      id\n      status\n      filesTotal\n    }\n  }\n": typeof types.StageFilesDocument,
};
const documents: Documents = {
    "\n  query ListMethods {\n    stagingMethods {\n      method\n      label\n      description\n    }\n  }\n": types.ListMethodsDocument,
    "\n  mutation CancelRequest($id: ID!) {\n    cancelStagingRequest(id: $id) {\n      ...RequestFields\n    }\n  }\n": types.CancelRequestDocument,
    "\n  fragment RequestFields on StagingRequest {\n    id\n    method\n    status\n    createdAt\n    startedAt\n    finishedAt\n    expiresAt\n    filesTotal\n    filesDone\n    filesSkipped\n    filesFailed\n    filesCancelled\n    bytesTotal\n    bytesDone\n    downloadUrl\n    owner {\n      id\n      email\n      username\n      name\n    }\n  }\n": types.RequestFieldsFragmentDoc,
    "\n  fragment StagedFileFields on StagedFile {\n    id\n    source\n    target\n    status\n    sizeBytes\n    bytesDone\n    checksum\n    attempts\n    startedAt\n    finishedAt\n    downloadUrl\n    accessUrl\n    error {\n      code\n      stack\n    }\n  }\n": types.StagedFileFieldsFragmentDoc,
    "\n  query GetRequest($id: ID!) {\n    stagingRequest(id: $id) {\n      ...RequestFields\n    }\n  }\n": types.GetRequestDocument,
    "\n  query RequestFiles($id: ID!, $first: Int, $after: String, $status: [FileStatus!]) {\n    stagingRequest(id: $id) {\n      id\n      files(first: $first, after: $after, status: $status) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          ...StagedFileFields\n        }\n      }\n    }\n  }\n": types.RequestFilesDocument,
    "\n  query ListRequests($first: Int, $after: String, $status: [RequestStatus!], $mine: Boolean) {\n    stagingRequests(first: $first, after: $after, status: $status, mine: $mine) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...RequestFields\n      }\n    }\n  }\n": types.ListRequestsDocument,
    "\n  mutation RetryRequest($id: ID!) {\n    retryStagingRequest(id: $id) {\n      ...RequestFields\n    }\n  }\n": types.RetryRequestDocument,
    "\n  subscription RequestUpdated($id: ID!) {\n    stagingRequestUpdated(id: $id) {\n      ...RequestFields\n    }\n  }\n": types.RequestUpdatedDocument,
    "\n  query GetMe {\n    me {\n      id\n      username\n      name\n      email\n      role\n      status\n    }\n  }\n": types.GetMeDocument,
    "\n  query BrowseSource($siteId: ID, $path: String) {\n    browse(siteId: $siteId, path: $path) {\n      name\n      path\n      isDirectory\n      sizeBytes\n    }\n  }\n": types.BrowseSourceDocument,
    "\n  query StageOptions {\n    stagingMethods {\n      method\n      label\n      description\n    }\n    sites {\n      id\n      name\n      kind\n      isSource\n      isTarget\n      isDefault\n    }\n  }\n": types.StageOptionsDocument,
    "\n  mutation StageFiles($input: StageInput!) {\n    stage(input: $input) {\n      id\n      status\n      filesTotal\n    }\n  }\n": types.StageFilesDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListMethods {\n    stagingMethods {\n      method\n      label\n      description\n    }\n  }\n"): typeof import('./graphql').ListMethodsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelRequest($id: ID!) {\n    cancelStagingRequest(id: $id) {\n      ...RequestFields\n    }\n  }\n"): typeof import('./graphql').CancelRequestDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RequestFields on StagingRequest {\n    id\n    method\n    status\n    createdAt\n    startedAt\n    finishedAt\n    expiresAt\n    filesTotal\n    filesDone\n    filesSkipped\n    filesFailed\n    filesCancelled\n    bytesTotal\n    bytesDone\n    downloadUrl\n    owner {\n      id\n      email\n      username\n      name\n    }\n  }\n"): typeof import('./graphql').RequestFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StagedFileFields on StagedFile {\n    id\n    source\n    target\n    status\n    sizeBytes\n    bytesDone\n    checksum\n    attempts\n    startedAt\n    finishedAt\n    downloadUrl\n    accessUrl\n    error {\n      code\n      stack\n    }\n  }\n"): typeof import('./graphql').StagedFileFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GetRequest($id: ID!) {\n    stagingRequest(id: $id) {\n      ...RequestFields\n    }\n  }\n"): typeof import('./graphql').GetRequestDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RequestFiles($id: ID!, $first: Int, $after: String, $status: [FileStatus!]) {\n    stagingRequest(id: $id) {\n      id\n      files(first: $first, after: $after, status: $status) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          ...StagedFileFields\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').RequestFilesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListRequests($first: Int, $after: String, $status: [RequestStatus!], $mine: Boolean) {\n    stagingRequests(first: $first, after: $after, status: $status, mine: $mine) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...RequestFields\n      }\n    }\n  }\n"): typeof import('./graphql').ListRequestsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryRequest($id: ID!) {\n    retryStagingRequest(id: $id) {\n      ...RequestFields\n    }\n  }\n"): typeof import('./graphql').RetryRequestDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RequestUpdated($id: ID!) {\n    stagingRequestUpdated(id: $id) {\n      ...RequestFields\n    }\n  }\n"): typeof import('./graphql').RequestUpdatedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GetMe {\n    me {\n      id\n      username\n      name\n      email\n      role\n      status\n    }\n  }\n"): typeof import('./graphql').GetMeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BrowseSource($siteId: ID, $path: String) {\n    browse(siteId: $siteId, path: $path) {\n      name\n      path\n      isDirectory\n      sizeBytes\n    }\n  }\n"): typeof import('./graphql').BrowseSourceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StageOptions {\n    stagingMethods {\n      method\n      label\n      description\n    }\n    sites {\n      id\n      name\n      kind\n      isSource\n      isTarget\n      isDefault\n    }\n  }\n"): typeof import('./graphql').StageOptionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StageFiles($input: StageInput!) {\n    stage(input: $input) {\n      id\n      status\n      filesTotal\n    }\n  }\n"): typeof import('./graphql').StageFilesDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
