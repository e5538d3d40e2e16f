/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** A file to create in the sandbox: give sizeBytes (random bytes) or content (text). */
export type CreateFileInput = {
  /** Text content. */
  content?: string | null | undefined;
  /** Path relative to the sandbox folder, e.g. a/b.txt. */
  path: string;
  /** Size of random content in bytes. */
  sizeBytes?: number | null | undefined;
};

/** Lifecycle of one staged file. */
export type FileStatus =
  | 'CANCELLED'
  | 'DONE'
  | 'FAILED'
  | 'PENDING'
  | 'RUNNING'
  | 'SKIPPED';

/** Severity of a log entry. */
export type LogLevel =
  | 'DEBUG'
  | 'ERROR'
  | 'INFO'
  | 'WARN';

/** Lifecycle of a staging request. */
export type RequestStatus =
  | 'CANCELLED'
  | 'FAILED'
  | 'PARTIALLY_SUCCEEDED'
  | 'QUEUED'
  | 'RUNNING'
  | 'SUCCEEDED';

/** What a user may do: USER stages their own data, ADMIN manages everything. */
export type Role =
  | 'ADMIN'
  | 'USER';

/** Kind of storage a site is. */
export type SiteKind =
  | 'JUPYTERHUB'
  | 'POSIX'
  | 'RUCIO'
  | 'S3'
  | 'WEBDAV';

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

/** Account lifecycle: PENDING until an admin decides, then ACTIVE or REJECTED; ACTIVE users may later be DISABLED. */
export type UserStatus =
  | 'ACTIVE'
  | 'DISABLED'
  | 'PENDING'
  | 'REJECTED';

export type ApproveUserMutationVariables = Exact<{
  id: string | number;
}>;


export type ApproveUserMutation = { approveUser: { id: string, email: string, emailVerified: boolean, username: string, name: string | null, role: Role, status: UserStatus, createdAt: string, decidedAt: string | null } };

export type RejectUserMutationVariables = Exact<{
  id: string | number;
  reason?: string | null | undefined;
}>;


export type RejectUserMutation = { rejectUser: { id: string, email: string, emailVerified: boolean, username: string, name: string | null, role: Role, status: UserStatus, createdAt: string, decidedAt: string | null } };

export type SetUserRoleMutationVariables = Exact<{
  id: string | number;
  role: Role;
}>;


export type SetUserRoleMutation = { setUserRole: { id: string, email: string, emailVerified: boolean, username: string, name: string | null, role: Role, status: UserStatus, createdAt: string, decidedAt: string | null } };

export type DisableUserMutationVariables = Exact<{
  id: string | number;
}>;


export type DisableUserMutation = { disableUser: { id: string, email: string, emailVerified: boolean, username: string, name: string | null, role: Role, status: UserStatus, createdAt: string, decidedAt: string | null } };

export type EnableUserMutationVariables = Exact<{
  id: string | number;
}>;


export type EnableUserMutation = { enableUser: { id: string, email: string, emailVerified: boolean, username: string, name: string | null, role: Role, status: UserStatus, createdAt: string, decidedAt: string | null } };

export type ListUsersQueryVariables = Exact<{
  status?: UserStatus | null | undefined;
}>;


export type ListUsersQuery = { users: Array<{ id: string, email: string, emailVerified: boolean, username: string, name: string | null, role: Role, status: UserStatus, createdAt: string, decidedAt: string | null }> };

export type AdminUserFieldsFragment = { id: string, email: string, emailVerified: boolean, username: string, name: string | null, role: Role, status: UserStatus, createdAt: string, decidedAt: string | null };

export type ListEmailTemplatesQueryVariables = Exact<{ [key: string]: never; }>;


export type ListEmailTemplatesQuery = { emailTemplates: Array<{ key: string, description: string, subject: string, text: string, html: string, variables: Array<string>, customized: boolean, updatedAt: string | null }> };

export type PreviewEmailTemplateQueryVariables = Exact<{
  key: string;
  subject?: string | null | undefined;
  text?: string | null | undefined;
  html?: string | null | undefined;
}>;


export type PreviewEmailTemplateQuery = { previewEmailTemplate: { subject: string, text: string, html: string } };

export type UpdateEmailTemplateMutationVariables = Exact<{
  key: string;
  subject: string;
  text: string;
  html: string;
}>;


export type UpdateEmailTemplateMutation = { updateEmailTemplate: { key: string, subject: string, text: string, html: string, customized: boolean, updatedAt: string | null } };

export type CreateFileMutationVariables = Exact<{
  input: CreateFileInput;
}>;


export type CreateFileMutation = { createFile: { path: string, sizeBytes: number, checksum: string } };

export type LogRequestChoicesQueryVariables = Exact<{
  mine?: boolean | null | undefined;
}>;


export type LogRequestChoicesQuery = { stagingRequests: { nodes: Array<{ id: string, method: StagingMethod, status: RequestStatus, createdAt: string, filesTotal: number, owner: { email: string } }> } };

export type LogEntryFieldsFragment = { id: string, at: string, level: LogLevel, message: string, requestId: string | null, fileId: string | null, userId: string | null };

export type ListLogsQueryVariables = Exact<{
  requestId?: string | number | null | undefined;
  minLevel?: LogLevel | null | undefined;
  last?: number | null | undefined;
  allUsers?: boolean | null | undefined;
}>;


export type ListLogsQuery = { logs: Array<{ id: string, at: string, level: LogLevel, message: string, requestId: string | null, fileId: string | null, userId: string | null }> };

export type LogAppendedSubscriptionVariables = Exact<{
  requestId?: string | number | null | undefined;
  minLevel?: LogLevel | null | undefined;
  allUsers?: boolean | null | undefined;
}>;


export type LogAppendedSubscription = { logAppended: { id: string, at: string, level: LogLevel, message: string, requestId: string | null, fileId: string | null, userId: string | null } };

export type ListMethodsQueryVariables = Exact<{ [key: string]: never; }>;


export type ListMethodsQuery = { stagingMethods: Array<{ method: StagingMethod, label: string, description: string }> };

export type CancelRequestMutationVariables = Exact<{
  id: string | number;
}>;


export type CancelRequestMutation = { cancelStagingRequest: { id: string, number: number, method: StagingMethod, status: RequestStatus, createdAt: string, startedAt: string | null, finishedAt: string | null, expiresAt: string | null, filesTotal: number, filesDone: number, filesSkipped: number, filesFailed: number, filesCancelled: number, bytesTotal: number, bytesDone: number, downloadUrl: string | null, owner: { id: string, email: string, username: string, name: string | null } } };

export type RequestFieldsFragment = { id: string, number: number, method: StagingMethod, status: RequestStatus, createdAt: string, startedAt: string | null, finishedAt: string | null, expiresAt: string | null, filesTotal: number, filesDone: number, filesSkipped: number, filesFailed: number, filesCancelled: number, bytesTotal: number, bytesDone: number, downloadUrl: string | null, owner: { id: string, email: string, username: string, name: string | null } };

export type StagedFileFieldsFragment = { id: string, source: string, target: string, status: FileStatus, sizeBytes: number | null, bytesDone: number, checksum: string | null, attempts: number, startedAt: string | null, finishedAt: string | null, downloadUrl: string | null, accessUrl: string | null, error: { code: string, stack: string | null } | null };

export type GetRequestQueryVariables = Exact<{
  id: string | number;
}>;


export type GetRequestQuery = { stagingRequest: { id: string, number: number, method: StagingMethod, status: RequestStatus, createdAt: string, startedAt: string | null, finishedAt: string | null, expiresAt: string | null, filesTotal: number, filesDone: number, filesSkipped: number, filesFailed: number, filesCancelled: number, bytesTotal: number, bytesDone: number, downloadUrl: string | null, owner: { id: string, email: string, username: string, name: string | null } } };

export type RequestFilesQueryVariables = Exact<{
  id: string | number;
  first?: number | null | undefined;
  after?: string | null | undefined;
  status?: Array<FileStatus> | FileStatus | null | undefined;
}>;


export type RequestFilesQuery = { stagingRequest: { id: string, files: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, source: string, target: string, status: FileStatus, sizeBytes: number | null, bytesDone: number, checksum: string | null, attempts: number, startedAt: string | null, finishedAt: string | null, downloadUrl: string | null, accessUrl: string | null, error: { code: string, stack: string | null } | null }> } } };

export type ListRequestsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  status?: Array<RequestStatus> | RequestStatus | null | undefined;
  mine?: boolean | null | undefined;
}>;


export type ListRequestsQuery = { stagingRequests: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, number: number, method: StagingMethod, status: RequestStatus, createdAt: string, startedAt: string | null, finishedAt: string | null, expiresAt: string | null, filesTotal: number, filesDone: number, filesSkipped: number, filesFailed: number, filesCancelled: number, bytesTotal: number, bytesDone: number, downloadUrl: string | null, owner: { id: string, email: string, username: string, name: string | null } }> } };

export type RetryRequestMutationVariables = Exact<{
  id: string | number;
}>;


export type RetryRequestMutation = { retryStagingRequest: { id: string, number: number, method: StagingMethod, status: RequestStatus, createdAt: string, startedAt: string | null, finishedAt: string | null, expiresAt: string | null, filesTotal: number, filesDone: number, filesSkipped: number, filesFailed: number, filesCancelled: number, bytesTotal: number, bytesDone: number, downloadUrl: string | null, owner: { id: string, email: string, username: string, name: string | null } } };

export type RequestUpdatedSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type RequestUpdatedSubscription = { stagingRequestUpdated: { id: string, number: number, method: StagingMethod, status: RequestStatus, createdAt: string, startedAt: string | null, finishedAt: string | null, expiresAt: string | null, filesTotal: number, filesDone: number, filesSkipped: number, filesFailed: number, filesCancelled: number, bytesTotal: number, bytesDone: number, downloadUrl: string | null, owner: { id: string, email: string, username: string, name: string | null } } };

export type GetMeQueryVariables = Exact<{ [key: string]: never; }>;


export type GetMeQuery = { me: { id: string, username: string, name: string | null, email: string, role: Role, status: UserStatus, createdAt: string } | null };

export type BrowseSourceQueryVariables = Exact<{
  siteId?: string | number | null | undefined;
  path?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type BrowseSourceQuery = { browse: Array<{ name: string, path: string, isDirectory: boolean, sizeBytes: number | null, cursor: string }> };

export type StageOptionsQueryVariables = Exact<{ [key: string]: never; }>;


export type StageOptionsQuery = { stagingMethods: Array<{ method: StagingMethod, label: string, description: string }>, sites: Array<{ id: string, name: string, kind: SiteKind, isSource: boolean, isTarget: boolean, isDefault: boolean }> };

export type StageFilesMutationVariables = Exact<{
  input: StageInput;
}>;


export type StageFilesMutation = { stage: { id: string, status: RequestStatus, filesTotal: number } };

export type CreateApiTokenMutationVariables = Exact<{
  name: string;
  expiresInDays?: number | null | undefined;
}>;


export type CreateApiTokenMutation = { createApiToken: { secret: string, token: { id: string, name: string, expiresAt: string | null } } };

export type ListApiTokensQueryVariables = Exact<{ [key: string]: never; }>;


export type ListApiTokensQuery = { apiTokens: Array<{ id: string, name: string, createdAt: string, expiresAt: string | null, lastUsedAt: string | null, revokedAt: string | null }> };

export type RevokeApiTokenMutationVariables = Exact<{
  id: string | number;
}>;


export type RevokeApiTokenMutation = { revokeApiToken: { id: string, revokedAt: string | null } };

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
export const AdminUserFieldsFragmentDoc = new TypedDocumentString(`
    fragment AdminUserFields on User {
  id
  email
  emailVerified
  username
  name
  role
  status
  createdAt
  decidedAt
}
    `, {"fragmentName":"AdminUserFields"}) as unknown as TypedDocumentString<AdminUserFieldsFragment, unknown>;
export const LogEntryFieldsFragmentDoc = new TypedDocumentString(`
    fragment LogEntryFields on LogEntry {
  id
  at
  level
  message
  requestId
  fileId
  userId
}
    `, {"fragmentName":"LogEntryFields"}) as unknown as TypedDocumentString<LogEntryFieldsFragment, unknown>;
export const RequestFieldsFragmentDoc = new TypedDocumentString(`
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
    `, {"fragmentName":"RequestFields"}) as unknown as TypedDocumentString<RequestFieldsFragment, unknown>;
export const StagedFileFieldsFragmentDoc = new TypedDocumentString(`
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
    `, {"fragmentName":"StagedFileFields"}) as unknown as TypedDocumentString<StagedFileFieldsFragment, unknown>;
export const ApproveUserDocument = new TypedDocumentString(`
    mutation ApproveUser($id: ID!) {
  approveUser(id: $id) {
    ...AdminUserFields
  }
}
    fragment AdminUserFields on User {
  id
  email
  emailVerified
  username
  name
  role
  status
  createdAt
  decidedAt
}`) as unknown as TypedDocumentString<ApproveUserMutation, ApproveUserMutationVariables>;
export const RejectUserDocument = new TypedDocumentString(`
    mutation RejectUser($id: ID!, $reason: String) {
  rejectUser(id: $id, reason: $reason) {
    ...AdminUserFields
  }
}
    fragment AdminUserFields on User {
  id
  email
  emailVerified
  username
  name
  role
  status
  createdAt
  decidedAt
}`) as unknown as TypedDocumentString<RejectUserMutation, RejectUserMutationVariables>;
export const SetUserRoleDocument = new TypedDocumentString(`
    mutation SetUserRole($id: ID!, $role: Role!) {
  setUserRole(id: $id, role: $role) {
    ...AdminUserFields
  }
}
    fragment AdminUserFields on User {
  id
  email
  emailVerified
  username
  name
  role
  status
  createdAt
  decidedAt
}`) as unknown as TypedDocumentString<SetUserRoleMutation, SetUserRoleMutationVariables>;
export const DisableUserDocument = new TypedDocumentString(`
    mutation DisableUser($id: ID!) {
  disableUser(id: $id) {
    ...AdminUserFields
  }
}
    fragment AdminUserFields on User {
  id
  email
  emailVerified
  username
  name
  role
  status
  createdAt
  decidedAt
}`) as unknown as TypedDocumentString<DisableUserMutation, DisableUserMutationVariables>;
export const EnableUserDocument = new TypedDocumentString(`
    mutation EnableUser($id: ID!) {
  enableUser(id: $id) {
    ...AdminUserFields
  }
}
    fragment AdminUserFields on User {
  id
  email
  emailVerified
  username
  name
  role
  status
  createdAt
  decidedAt
}`) as unknown as TypedDocumentString<EnableUserMutation, EnableUserMutationVariables>;
export const ListUsersDocument = new TypedDocumentString(`
    query ListUsers($status: UserStatus) {
  users(status: $status) {
    ...AdminUserFields
  }
}
    fragment AdminUserFields on User {
  id
  email
  emailVerified
  username
  name
  role
  status
  createdAt
  decidedAt
}`) as unknown as TypedDocumentString<ListUsersQuery, ListUsersQueryVariables>;
export const ListEmailTemplatesDocument = new TypedDocumentString(`
    query ListEmailTemplates {
  emailTemplates {
    key
    description
    subject
    text
    html
    variables
    customized
    updatedAt
  }
}
    `) as unknown as TypedDocumentString<ListEmailTemplatesQuery, ListEmailTemplatesQueryVariables>;
export const PreviewEmailTemplateDocument = new TypedDocumentString(`
    query PreviewEmailTemplate($key: String!, $subject: String, $text: String, $html: String) {
  previewEmailTemplate(key: $key, subject: $subject, text: $text, html: $html) {
    subject
    text
    html
  }
}
    `) as unknown as TypedDocumentString<PreviewEmailTemplateQuery, PreviewEmailTemplateQueryVariables>;
export const UpdateEmailTemplateDocument = new TypedDocumentString(`
    mutation UpdateEmailTemplate($key: String!, $subject: String!, $text: String!, $html: String!) {
  updateEmailTemplate(key: $key, subject: $subject, text: $text, html: $html) {
    key
    subject
    text
    html
    customized
    updatedAt
  }
}
    `) as unknown as TypedDocumentString<UpdateEmailTemplateMutation, UpdateEmailTemplateMutationVariables>;
export const CreateFileDocument = new TypedDocumentString(`
    mutation CreateFile($input: CreateFileInput!) {
  createFile(input: $input) {
    path
    sizeBytes
    checksum
  }
}
    `) as unknown as TypedDocumentString<CreateFileMutation, CreateFileMutationVariables>;
export const LogRequestChoicesDocument = new TypedDocumentString(`
    query LogRequestChoices($mine: Boolean) {
  stagingRequests(first: 50, mine: $mine) {
    nodes {
      id
      method
      status
      createdAt
      filesTotal
      owner {
        email
      }
    }
  }
}
    `) as unknown as TypedDocumentString<LogRequestChoicesQuery, LogRequestChoicesQueryVariables>;
export const ListLogsDocument = new TypedDocumentString(`
    query ListLogs($requestId: ID, $minLevel: LogLevel, $last: Int, $allUsers: Boolean) {
  logs(
    requestId: $requestId
    minLevel: $minLevel
    last: $last
    allUsers: $allUsers
  ) {
    ...LogEntryFields
  }
}
    fragment LogEntryFields on LogEntry {
  id
  at
  level
  message
  requestId
  fileId
  userId
}`) as unknown as TypedDocumentString<ListLogsQuery, ListLogsQueryVariables>;
export const LogAppendedDocument = new TypedDocumentString(`
    subscription LogAppended($requestId: ID, $minLevel: LogLevel, $allUsers: Boolean) {
  logAppended(requestId: $requestId, minLevel: $minLevel, allUsers: $allUsers) {
    ...LogEntryFields
  }
}
    fragment LogEntryFields on LogEntry {
  id
  at
  level
  message
  requestId
  fileId
  userId
}`) as unknown as TypedDocumentString<LogAppendedSubscription, LogAppendedSubscriptionVariables>;
export const ListMethodsDocument = new TypedDocumentString(`
    query ListMethods {
  stagingMethods {
    method
    label
    description
  }
}
    `) as unknown as TypedDocumentString<ListMethodsQuery, ListMethodsQueryVariables>;
export const CancelRequestDocument = new TypedDocumentString(`
    mutation CancelRequest($id: ID!) {
  cancelStagingRequest(id: $id) {
    ...RequestFields
  }
}
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
}`) as unknown as TypedDocumentString<CancelRequestMutation, CancelRequestMutationVariables>;
export const GetRequestDocument = new TypedDocumentString(`
    query GetRequest($id: ID!) {
  stagingRequest(id: $id) {
    ...RequestFields
  }
}
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
}`) as unknown as TypedDocumentString<GetRequestQuery, GetRequestQueryVariables>;
export const RequestFilesDocument = new TypedDocumentString(`
    query RequestFiles($id: ID!, $first: Int, $after: String, $status: [FileStatus!]) {
  stagingRequest(id: $id) {
    id
    files(first: $first, after: $after, status: $status) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...StagedFileFields
      }
    }
  }
}
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
}`) as unknown as TypedDocumentString<RequestFilesQuery, RequestFilesQueryVariables>;
export const ListRequestsDocument = new TypedDocumentString(`
    query ListRequests($first: Int, $after: String, $status: [RequestStatus!], $mine: Boolean) {
  stagingRequests(first: $first, after: $after, status: $status, mine: $mine) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      ...RequestFields
    }
  }
}
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
}`) as unknown as TypedDocumentString<ListRequestsQuery, ListRequestsQueryVariables>;
export const RetryRequestDocument = new TypedDocumentString(`
    mutation RetryRequest($id: ID!) {
  retryStagingRequest(id: $id) {
    ...RequestFields
  }
}
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
}`) as unknown as TypedDocumentString<RetryRequestMutation, RetryRequestMutationVariables>;
export const RequestUpdatedDocument = new TypedDocumentString(`
    subscription RequestUpdated($id: ID!) {
  stagingRequestUpdated(id: $id) {
    ...RequestFields
  }
}
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
}`) as unknown as TypedDocumentString<RequestUpdatedSubscription, RequestUpdatedSubscriptionVariables>;
export const GetMeDocument = new TypedDocumentString(`
    query GetMe {
  me {
    id
    username
    name
    email
    role
    status
    createdAt
  }
}
    `) as unknown as TypedDocumentString<GetMeQuery, GetMeQueryVariables>;
export const BrowseSourceDocument = new TypedDocumentString(`
    query BrowseSource($siteId: ID, $path: String, $first: Int, $after: String) {
  browse(siteId: $siteId, path: $path, first: $first, after: $after) {
    name
    path
    isDirectory
    sizeBytes
    cursor
  }
}
    `) as unknown as TypedDocumentString<BrowseSourceQuery, BrowseSourceQueryVariables>;
export const StageOptionsDocument = new TypedDocumentString(`
    query StageOptions {
  stagingMethods {
    method
    label
    description
  }
  sites {
    id
    name
    kind
    isSource
    isTarget
    isDefault
  }
}
    `) as unknown as TypedDocumentString<StageOptionsQuery, StageOptionsQueryVariables>;
export const StageFilesDocument = new TypedDocumentString(`
    mutation StageFiles($input: StageInput!) {
  stage(input: $input) {
    id
    status
    filesTotal
  }
}
    `) as unknown as TypedDocumentString<StageFilesMutation, StageFilesMutationVariables>;
export const CreateApiTokenDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<CreateApiTokenMutation, CreateApiTokenMutationVariables>;
export const ListApiTokensDocument = new TypedDocumentString(`
    query ListApiTokens {
  apiTokens {
    id
    name
    createdAt
    expiresAt
    lastUsedAt
    revokedAt
  }
}
    `) as unknown as TypedDocumentString<ListApiTokensQuery, ListApiTokensQueryVariables>;
export const RevokeApiTokenDocument = new TypedDocumentString(`
    mutation RevokeApiToken($id: ID!) {
  revokeApiToken(id: $id) {
    id
    revokedAt
  }
}
    `) as unknown as TypedDocumentString<RevokeApiTokenMutation, RevokeApiTokenMutationVariables>;