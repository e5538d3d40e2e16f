/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Lifecycle of one staged file. */
export type FileStatus =
  | 'CANCELLED'
  | 'DONE'
  | 'FAILED'
  | 'PENDING'
  | 'RUNNING'
  | 'SKIPPED';

/** Lifecycle of a staging request. */
export type RequestStatus =
  | 'CANCELLED'
  | 'FAILED'
  | 'PARTIALLY_SUCCEEDED'
  | 'QUEUED'
  | 'RUNNING'
  | 'SUCCEEDED';

/** A staging request. */
export type StageInput = {
  /** Same key + same user → the same request is returned (safe retries). */
  idempotencyKey?: string | null | undefined;
  /** 1..MAX_ITEMS_PER_REQUEST items (default 10000). */
  items: Array<StageItemInput>;
  /** How to make the files available. */
  method: StagingMethod;
  /** Email the owner when the request finishes. */
  notify?: boolean | null | undefined;
  /** Source site; default: the default source site. */
  sourceSiteId?: string | number | null | undefined;
  /** Target site; default: the method's default target. */
  targetSiteId?: string | number | null | undefined;
};

/** One source to stage; both paths are relative. */
export type StageItemInput = {
  /** Path relative to the source site root (a file or a folder). */
  source: string;
  /** Path relative to the user's area; defaults to the source's relative path. */
  target?: string | null | undefined;
};

/** How files are made available. */
export type StagingMethod =
  | 'DCACHE_STAGE'
  | 'DIRECT_DOWNLOAD'
  | 'JUPYTER_COPY'
  | 'LOCAL_COPY'
  | 'LOCAL_HARDLINK'
  | 'LOCAL_SYMLINK'
  | 'RUCIO_COPY'
  | 'S3_COPY';

export type RequestSummaryFragment = { id: string, status: RequestStatus, method: StagingMethod, filesTotal: number, filesDone: number, filesSkipped: number, filesFailed: number, filesCancelled: number, bytesTotal: number, bytesDone: number, createdAt: string, finishedAt: string | null, expiresAt: string | null, downloadUrl: string | null };

export type FileFieldsFragment = { id: string, source: string, target: string, status: FileStatus, checksum: string | null, sizeBytes: number | null, bytesDone: number, attempts: number, downloadUrl: string | null, accessUrl: string | null, finishedAt: string | null, error: { code: string, message: string } | null };

export type ClientStageMutationVariables = Exact<{
  input: StageInput;
}>;


export type ClientStageMutation = { stage: { id: string, status: RequestStatus, method: StagingMethod, filesTotal: number, filesDone: number, filesSkipped: number, filesFailed: number, filesCancelled: number, bytesTotal: number, bytesDone: number, createdAt: string, finishedAt: string | null, expiresAt: string | null, downloadUrl: string | null } };

export type ClientRequestQueryVariables = Exact<{
  id: string | number;
}>;


export type ClientRequestQuery = { stagingRequest: { id: string, status: RequestStatus, method: StagingMethod, filesTotal: number, filesDone: number, filesSkipped: number, filesFailed: number, filesCancelled: number, bytesTotal: number, bytesDone: number, createdAt: string, finishedAt: string | null, expiresAt: string | null, downloadUrl: string | null } };

export type ClientFilesQueryVariables = Exact<{
  id: string | number;
  first: number;
  after?: string | null | undefined;
  status?: Array<FileStatus> | FileStatus | null | undefined;
}>;


export type ClientFilesQuery = { stagingRequest: { id: string, files: { totalCount: number, pageInfo: { endCursor: string | null, hasNextPage: boolean }, nodes: Array<{ id: string, source: string, target: string, status: FileStatus, checksum: string | null, sizeBytes: number | null, bytesDone: number, attempts: number, downloadUrl: string | null, accessUrl: string | null, finishedAt: string | null, error: { code: string, message: string } | null }> } } };

export type ClientCancelMutationVariables = Exact<{
  id: string | number;
}>;


export type ClientCancelMutation = { cancelStagingRequest: { id: string, status: RequestStatus, method: StagingMethod, filesTotal: number, filesDone: number, filesSkipped: number, filesFailed: number, filesCancelled: number, bytesTotal: number, bytesDone: number, createdAt: string, finishedAt: string | null, expiresAt: string | null, downloadUrl: string | null } };

export type ClientRetryMutationVariables = Exact<{
  id: string | number;
}>;


export type ClientRetryMutation = { retryStagingRequest: { id: string, status: RequestStatus, method: StagingMethod, filesTotal: number, filesDone: number, filesSkipped: number, filesFailed: number, filesCancelled: number, bytesTotal: number, bytesDone: number, createdAt: string, finishedAt: string | null, expiresAt: string | null, downloadUrl: string | null } };

export type ClientRequestUpdatedSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type ClientRequestUpdatedSubscription = { stagingRequestUpdated: { id: string, status: RequestStatus, method: StagingMethod, filesTotal: number, filesDone: number, filesSkipped: number, filesFailed: number, filesCancelled: number, bytesTotal: number, bytesDone: number, createdAt: string, finishedAt: string | null, expiresAt: string | null, downloadUrl: string | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const RequestSummaryFragmentDoc = new TypedDocumentString(`
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
    `, {"fragmentName":"RequestSummary"}) as unknown as TypedDocumentString<RequestSummaryFragment, unknown>;
export const FileFieldsFragmentDoc = new TypedDocumentString(`
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
    `, {"fragmentName":"FileFields"}) as unknown as TypedDocumentString<FileFieldsFragment, unknown>;
export const ClientStageDocument = new TypedDocumentString(`
    mutation ClientStage($input: StageInput!) {
  stage(input: $input) {
    ...RequestSummary
  }
}
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
}`) as unknown as TypedDocumentString<ClientStageMutation, ClientStageMutationVariables>;
export const ClientRequestDocument = new TypedDocumentString(`
    query ClientRequest($id: ID!) {
  stagingRequest(id: $id) {
    ...RequestSummary
  }
}
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
}`) as unknown as TypedDocumentString<ClientRequestQuery, ClientRequestQueryVariables>;
export const ClientFilesDocument = new TypedDocumentString(`
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
}`) as unknown as TypedDocumentString<ClientFilesQuery, ClientFilesQueryVariables>;
export const ClientCancelDocument = new TypedDocumentString(`
    mutation ClientCancel($id: ID!) {
  cancelStagingRequest(id: $id) {
    ...RequestSummary
  }
}
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
}`) as unknown as TypedDocumentString<ClientCancelMutation, ClientCancelMutationVariables>;
export const ClientRetryDocument = new TypedDocumentString(`
    mutation ClientRetry($id: ID!) {
  retryStagingRequest(id: $id) {
    ...RequestSummary
  }
}
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
}`) as unknown as TypedDocumentString<ClientRetryMutation, ClientRetryMutationVariables>;
export const ClientRequestUpdatedDocument = new TypedDocumentString(`
    subscription ClientRequestUpdated($id: ID!) {
  stagingRequestUpdated(id: $id) {
    ...RequestSummary
  }
}
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
}`) as unknown as TypedDocumentString<ClientRequestUpdatedSubscription, ClientRequestUpdatedSubscriptionVariables>;