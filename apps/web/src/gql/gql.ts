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
    "\n  mutation ApproveUser($id: ID!) {\n    approveUser(id: $id) {\n      ...AdminUserFields\n    }\n  }\n": typeof types.ApproveUserDocument,
    "\n  mutation RejectUser($id: ID!, $reason: String) {\n    rejectUser(id: $id, reason: $reason) {\n      ...AdminUserFields\n    }\n  }\n": typeof types.RejectUserDocument,
    "\n  mutation SetUserRole($id: ID!, $role: Role!) {\n    setUserRole(id: $id, role: $role) {\n      ...AdminUserFields\n    }\n  }\n": typeof types.SetUserRoleDocument,
    "\n  mutation DisableUser($id: ID!) {\n    disableUser(id: $id) {\n      ...AdminUserFields\n    }\n  }\n": typeof types.DisableUserDocument,
    "\n  mutation EnableUser($id: ID!) {\n    enableUser(id: $id) {\n      ...AdminUserFields\n    }\n  }\n": typeof types.EnableUserDocument,
    "\n  query ListUsers($status: UserStatus) {\n    users(status: $status) {\n      ...AdminUserFields\n    }\n  }\n": typeof types.ListUsersDocument,
    "\n  fragment AdminUserFields on User {\n    id\n    email\n    emailVerified\n    username\n    name\n    role\n    status\n    createdAt\n    decidedAt\n  }\n": typeof types.AdminUserFieldsFragmentDoc,
    "\n  query ListEmailTemplates {\n    emailTemplates {\n      key\n      description\n      subject\n      text\n      html\n      variables\n      customized\n      updatedAt\n    }\n  }\n": typeof types.ListEmailTemplatesDocument,
    "\n  query PreviewEmailTemplate($key: String!, $subject: String, $text: String, $html: String) {\n    previewEmailTemplate(key: $key, subject: $subject, text: $text, html: $html) {\n      subject\n      text\n      html\n    }\n  }\n": typeof types.PreviewEmailTemplateDocument,
    "\n  mutation UpdateEmailTemplate($key: String!, $subject: String!, $text: String!, $html: String!) {\n    updateEmailTemplate(key: $key, subject: $subject, text: $text, html: $html) {\n      key\n      subject\n      text\n      html\n      customized\n      updatedAt\n    }\n  }\n": typeof types.UpdateEmailTemplateDocument,
    "\n  mutation CreateFile($input: CreateFileInput!) {\n    createFile(input: $input) {\n      path\n      sizeBytes\n      checksum\n    }\n  }\n": typeof types.CreateFileDocument,
    "\n  query LogRequestChoices($mine: Boolean) {\n    stagingRequests(first: 50, mine: $mine) {\n      nodes {\n        id\n        method\n        status\n        createdAt\n        filesTotal\n        owner {\n          email\n        }\n      }\n    }\n  }\n": typeof types.LogRequestChoicesDocument,
    "\n  fragment LogEntryFields on LogEntry {\n    id\n    at\n    level\n    message\n    requestId\n    fileId\n    userId\n  }\n": typeof types.LogEntryFieldsFragmentDoc,
    "\n  query ListLogs($requestId: ID, $minLevel: LogLevel, $last: Int, $allUsers: Boolean) {\n    logs(requestId: $requestId, minLevel: $minLevel, last: $last, allUsers: $allUsers) {\n      ...LogEntryFields\n    }\n  }\n": typeof types.ListLogsDocument,
    "\n  subscription LogAppended($requestId: ID, $minLevel: LogLevel, $allUsers: Boolean) {\n    logAppended(requestId: $requestId, minLevel: $minLevel, allUsers: $allUsers) {\n      ...LogEntryFields\n    }\n  }\n": typeof types.LogAppendedDocument,
    "\n  query ListMethods {\n    stagingMethods {\n      method\n      label\n      description\n    }\n  }\n": typeof types.ListMethodsDocument,
    "\n  mutation CancelRequest($id: ID!) {\n    cancelStagingRequest(id: $id) {\n      ...RequestFields\n    }\n  }\n": typeof types.CancelRequestDocument,
    "\n  fragment RequestFields on StagingRequest {\n    id\n    number\n    method\n    status\n    createdAt\n    startedAt\n    finishedAt\n    expiresAt\n    filesTotal\n    filesDone\n    filesSkipped\n    filesFailed\n    filesCancelled\n    bytesTotal\n    bytesDone\n    downloadUrl\n    owner {\n      id\n      email\n      username\n      name\n    }\n  }\n": typeof types.RequestFieldsFragmentDoc,
    "\n  fragment StagedFileFields on StagedFile {\n    id\n    source\n    target\n    status\n    sizeBytes\n    bytesDone\n    checksum\n    attempts\n    startedAt\n    finishedAt\n    downloadUrl\n    accessUrl\n    error {\n      code\n      stack\n    }\n  }\n": typeof types.StagedFileFieldsFragmentDoc,
    "\n  query GetRequest($id: ID!) {\n    stagingRequest(id: $id) {\n      ...RequestFields\n    }\n  }\n": typeof types.GetRequestDocument,
    "\n  query RequestFiles($id: ID!, $first: Int, $after: String, $status: [FileStatus!]) {\n    stagingRequest(id: $id) {\n      id\n      files(first: $first, after: $after, status: $status) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          ...StagedFileFields\n        }\n      }\n    }\n  }\n": typeof types.RequestFilesDocument,
    "\n  query ListRequests($first: Int, $after: String, $status: [RequestStatus!], $mine: Boolean) {\n    stagingRequests(first: $first, after: $after, status: $status, mine: $mine) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...RequestFields\n      }\n    }\n  }\n": typeof types.ListRequestsDocument,
    "\n  mutation RetryRequest($id: ID!) {\n    retryStagingRequest(id: $id) {\n      ...RequestFields\n    }\n  }\n": typeof types.RetryRequestDocument,
    "\n  subscription RequestUpdated($id: ID!) {\n    stagingRequestUpdated(id: $id) {\n      ...RequestFields\n    }\n  }\n": typeof types.RequestUpdatedDocument,
    "\n  query GetMe {\n    me {\n      id\n      username\n      name\n      email\n      role\n      status\n      createdAt\n    }\n  }\n": typeof types.GetMeDocument,
    "\n  query BrowseSource($siteId: ID, $path: String, $first: Int, $after: String) {\n    browse(siteId: $siteId, path: $path, first: $first, after: $after) {\n      name\n      path\n      isDirectory\n      sizeBytes\n      cursor\n    }\n  }\n": typeof types.BrowseSourceDocument,
    "\n  query StageOptions {\n    stagingMethods {\n      method\n      label\n      description\n    }\n    sites {\n      id\n      name\n      kind\n      isSource\n      isTarget\n      isDefault\n    }\n  }\n": typeof types.StageOptionsDocument,
    "\n  mutation StageFiles($input: StageInput!) {\n    stage(input: $input) {\n      id\n      status\n      filesTotal\n    }\n  }\n": typeof types.StageFilesDocument,
    "\n  mutation CreateApiToken($name: String!, $expiresInDays: Int) {\n    createApiToken(name: $name, expiresInDays: $expiresInDays) {\n      secret\n      token {\n        id\n        name\n        expiresAt\n      }\n    }\n  }\n": typeof types.CreateApiTokenDocument,
    "\n  query ListApiTokens {\n    apiTokens {\n      id\n      name\n      createdAt\n      expiresAt\n      lastUsedAt\n      revokedAt\n    }\n  }\n": typeof types.ListApiTokensDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": typeof types.RevokeApiTokenDocument,
};
const documents: Documents = {
    "\n  mutation ApproveUser($id: ID!) {\n    approveUser(id: $id) {\n      ...AdminUserFields\n    }\n  }\n": types.ApproveUserDocument,
    "\n  mutation RejectUser($id: ID!, $reason: String) {\n    rejectUser(id: $id, reason: $reason) {\n      ...AdminUserFields\n    }\n  }\n": types.RejectUserDocument,
    "\n  mutation SetUserRole($id: ID!, $role: Role!) {\n    setUserRole(id: $id, role: $role) {\n      ...AdminUserFields\n    }\n  }\n": types.SetUserRoleDocument,
    "\n  mutation DisableUser($id: ID!) {\n    disableUser(id: $id) {\n      ...AdminUserFields\n    }\n  }\n": types.DisableUserDocument,
    "\n  mutation EnableUser($id: ID!) {\n    enableUser(id: $id) {\n      ...AdminUserFields\n    }\n  }\n": types.EnableUserDocument,
    "\n  query ListUsers($status: UserStatus) {\n    users(status: $status) {\n      ...AdminUserFields\n    }\n  }\n": types.ListUsersDocument,
    "\n  fragment AdminUserFields on User {\n    id\n    email\n    emailVerified\n    username\n    name\n    role\n    status\n    createdAt\n    decidedAt\n  }\n": types.AdminUserFieldsFragmentDoc,
    "\n  query ListEmailTemplates {\n    emailTemplates {\n      key\n      description\n      subject\n      text\n      html\n      variables\n      customized\n      updatedAt\n    }\n  }\n": types.ListEmailTemplatesDocument,
    "\n  query PreviewEmailTemplate($key: String!, $subject: String, $text: String, $html: String) {\n    previewEmailTemplate(key: $key, subject: $subject, text: $text, html: $html) {\n      subject\n      text\n      html\n    }\n  }\n": types.PreviewEmailTemplateDocument,
    "\n  mutation UpdateEmailTemplate($key: String!, $subject: String!, $text: String!, $html: String!) {\n    updateEmailTemplate(key: $key, subject: $subject, text: $text, html: $html) {\n      key\n      subject\n      text\n      html\n      customized\n      updatedAt\n    }\n  }\n": types.UpdateEmailTemplateDocument,
    "\n  mutation CreateFile($input: CreateFileInput!) {\n    createFile(input: $input) {\n      path\n      sizeBytes\n      checksum\n    }\n  }\n": types.CreateFileDocument,
    "\n  query LogRequestChoices($mine: Boolean) {\n    stagingRequests(first: 50, mine: $mine) {\n      nodes {\n        id\n        method\n        status\n        createdAt\n        filesTotal\n        owner {\n          email\n        }\n      }\n    }\n  }\n": types.LogRequestChoicesDocument,
    "\n  fragment LogEntryFields on LogEntry {\n    id\n    at\n    level\n    message\n    requestId\n    fileId\n    userId\n  }\n": types.LogEntryFieldsFragmentDoc,
    "\n  query ListLogs($requestId: ID, $minLevel: LogLevel, $last: Int, $allUsers: Boolean) {\n    logs(requestId: $requestId, minLevel: $minLevel, last: $last, allUsers: $allUsers) {\n      ...LogEntryFields\n    }\n  }\n": types.ListLogsDocument,
    "\n  subscription LogAppended($requestId: ID, $minLevel: LogLevel, $allUsers: Boolean) {\n    logAppended(requestId: $requestId, minLevel: $minLevel, allUsers: $allUsers) {\n      ...LogEntryFields\n    }\n  }\n": types.LogAppendedDocument,
    "\n  query ListMethods {\n    stagingMethods {\n      method\n      label\n      description\n    }\n  }\n": types.ListMethodsDocument,
    "\n  mutation CancelRequest($id: ID!) {\n    cancelStagingRequest(id: $id) {\n      ...RequestFields\n    }\n  }\n": types.CancelRequestDocument,
    "\n  fragment RequestFields on StagingRequest {\n    id\n    number\n    method\n    status\n    createdAt\n    startedAt\n    finishedAt\n    expiresAt\n    filesTotal\n    filesDone\n    filesSkipped\n    filesFailed\n    filesCancelled\n    bytesTotal\n    bytesDone\n    downloadUrl\n    owner {\n      id\n      email\n      username\n      name\n    }\n  }\n": types.RequestFieldsFragmentDoc,
    "\n  fragment StagedFileFields on StagedFile {\n    id\n    source\n    target\n    status\n    sizeBytes\n    bytesDone\n    checksum\n    attempts\n    startedAt\n    finishedAt\n    downloadUrl\n    accessUrl\n    error {\n      code\n      stack\n    }\n  }\n": types.StagedFileFieldsFragmentDoc,
    "\n  query GetRequest($id: ID!) {\n    stagingRequest(id: $id) {\n      ...RequestFields\n    }\n  }\n": types.GetRequestDocument,
    "\n  query RequestFiles($id: ID!, $first: Int, $after: String, $status: [FileStatus!]) {\n    stagingRequest(id: $id) {\n      id\n      files(first: $first, after: $after, status: $status) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        nodes {\n          ...StagedFileFields\n        }\n      }\n    }\n  }\n": types.RequestFilesDocument,
    "\n  query ListRequests($first: Int, $after: String, $status: [RequestStatus!], $mine: Boolean) {\n    stagingRequests(first: $first, after: $after, status: $status, mine: $mine) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...RequestFields\n      }\n    }\n  }\n": types.ListRequestsDocument,
    "\n  mutation RetryRequest($id: ID!) {\n    retryStagingRequest(id: $id) {\n      ...RequestFields\n    }\n  }\n": types.RetryRequestDocument,
    "\n  subscription RequestUpdated($id: ID!) {\n    stagingRequestUpdated(id: $id) {\n      ...RequestFields\n    }\n  }\n": types.RequestUpdatedDocument,
    "\n  query GetMe {\n    me {\n      id\n      username\n      name\n      email\n      role\n      status\n      createdAt\n    }\n  }\n": types.GetMeDocument,
    "\n  query BrowseSource($siteId: ID, $path: String, $first: Int, $after: String) {\n    browse(siteId: $siteId, path: $path, first: $first, after: $after) {\n      name\n      path\n      isDirectory\n      sizeBytes\n      cursor\n    }\n  }\n": types.BrowseSourceDocument,
    "\n  query StageOptions {\n    stagingMethods {\n      method\n      label\n      description\n    }\n    sites {\n      id\n      name\n      kind\n      isSource\n      isTarget\n      isDefault\n    }\n  }\n": types.StageOptionsDocument,
    "\n  mutation StageFiles($input: StageInput!) {\n    stage(input: $input) {\n      id\n      status\n      filesTotal\n    }\n  }\n": types.StageFilesDocument,
    "\n  mutation CreateApiToken($name: String!, $expiresInDays: Int) {\n    createApiToken(name: $name, expiresInDays: $expiresInDays) {\n      secret\n      token {\n        id\n        name\n        expiresAt\n      }\n    }\n  }\n": types.CreateApiTokenDocument,
    "\n  query ListApiTokens {\n    apiTokens {\n      id\n      name\n      createdAt\n      expiresAt\n      lastUsedAt\n      revokedAt\n    }\n  }\n": types.ListApiTokensDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": types.RevokeApiTokenDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ApproveUser($id: ID!) {\n    approveUser(id: $id) {\n      ...AdminUserFields\n    }\n  }\n"): typeof import('./graphql').ApproveUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RejectUser($id: ID!, $reason: String) {\n    rejectUser(id: $id, reason: $reason) {\n      ...AdminUserFields\n    }\n  }\n"): typeof import('./graphql').RejectUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetUserRole($id: ID!, $role: Role!) {\n    setUserRole(id: $id, role: $role) {\n      ...AdminUserFields\n    }\n  }\n"): typeof import('./graphql').SetUserRoleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DisableUser($id: ID!) {\n    disableUser(id: $id) {\n      ...AdminUserFields\n    }\n  }\n"): typeof import('./graphql').DisableUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EnableUser($id: ID!) {\n    enableUser(id: $id) {\n      ...AdminUserFields\n    }\n  }\n"): typeof import('./graphql').EnableUserDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListUsers($status: UserStatus) {\n    users(status: $status) {\n      ...AdminUserFields\n    }\n  }\n"): typeof import('./graphql').ListUsersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AdminUserFields on User {\n    id\n    email\n    emailVerified\n    username\n    name\n    role\n    status\n    createdAt\n    decidedAt\n  }\n"): typeof import('./graphql').AdminUserFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListEmailTemplates {\n    emailTemplates {\n      key\n      description\n      subject\n      text\n      html\n      variables\n      customized\n      updatedAt\n    }\n  }\n"): typeof import('./graphql').ListEmailTemplatesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PreviewEmailTemplate($key: String!, $subject: String, $text: String, $html: String) {\n    previewEmailTemplate(key: $key, subject: $subject, text: $text, html: $html) {\n      subject\n      text\n      html\n    }\n  }\n"): typeof import('./graphql').PreviewEmailTemplateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateEmailTemplate($key: String!, $subject: String!, $text: String!, $html: String!) {\n    updateEmailTemplate(key: $key, subject: $subject, text: $text, html: $html) {\n      key\n      subject\n      text\n      html\n      customized\n      updatedAt\n    }\n  }\n"): typeof import('./graphql').UpdateEmailTemplateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateFile($input: CreateFileInput!) {\n    createFile(input: $input) {\n      path\n      sizeBytes\n      checksum\n    }\n  }\n"): typeof import('./graphql').CreateFileDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LogRequestChoices($mine: Boolean) {\n    stagingRequests(first: 50, mine: $mine) {\n      nodes {\n        id\n        method\n        status\n        createdAt\n        filesTotal\n        owner {\n          email\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').LogRequestChoicesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LogEntryFields on LogEntry {\n    id\n    at\n    level\n    message\n    requestId\n    fileId\n    userId\n  }\n"): typeof import('./graphql').LogEntryFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListLogs($requestId: ID, $minLevel: LogLevel, $last: Int, $allUsers: Boolean) {\n    logs(requestId: $requestId, minLevel: $minLevel, last: $last, allUsers: $allUsers) {\n      ...LogEntryFields\n    }\n  }\n"): typeof import('./graphql').ListLogsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LogAppended($requestId: ID, $minLevel: LogLevel, $allUsers: Boolean) {\n    logAppended(requestId: $requestId, minLevel: $minLevel, allUsers: $allUsers) {\n      ...LogEntryFields\n    }\n  }\n"): typeof import('./graphql').LogAppendedDocument;
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
export function graphql(source: "\n  fragment RequestFields on StagingRequest {\n    id\n    number\n    method\n    status\n    createdAt\n    startedAt\n    finishedAt\n    expiresAt\n    filesTotal\n    filesDone\n    filesSkipped\n    filesFailed\n    filesCancelled\n    bytesTotal\n    bytesDone\n    downloadUrl\n    owner {\n      id\n      email\n      username\n      name\n    }\n  }\n"): typeof import('./graphql').RequestFieldsFragmentDoc;
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
export function graphql(source: "\n  query GetMe {\n    me {\n      id\n      username\n      name\n      email\n      role\n      status\n      createdAt\n    }\n  }\n"): typeof import('./graphql').GetMeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BrowseSource($siteId: ID, $path: String, $first: Int, $after: String) {\n    browse(siteId: $siteId, path: $path, first: $first, after: $after) {\n      name\n      path\n      isDirectory\n      sizeBytes\n      cursor\n    }\n  }\n"): typeof import('./graphql').BrowseSourceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StageOptions {\n    stagingMethods {\n      method\n      label\n      description\n    }\n    sites {\n      id\n      name\n      kind\n      isSource\n      isTarget\n      isDefault\n    }\n  }\n"): typeof import('./graphql').StageOptionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StageFiles($input: StageInput!) {\n    stage(input: $input) {\n      id\n      status\n      filesTotal\n    }\n  }\n"): typeof import('./graphql').StageFilesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiToken($name: String!, $expiresInDays: Int) {\n    createApiToken(name: $name, expiresInDays: $expiresInDays) {\n      secret\n      token {\n        id\n        name\n        expiresAt\n      }\n    }\n  }\n"): typeof import('./graphql').CreateApiTokenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListApiTokens {\n    apiTokens {\n      id\n      name\n      createdAt\n      expiresAt\n      lastUsedAt\n      revokedAt\n    }\n  }\n"): typeof import('./graphql').ListApiTokensDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"): typeof import('./graphql').RevokeApiTokenDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
