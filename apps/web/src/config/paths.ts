/** Every client-side route's path in one place, so features can link without importing each other. */
export const paths = {
  home: '/',
  stage: '/stage',
  requests: '/requests',
  requestDetail: '/requests/:requestId',
  logs: '/logs',
  createFile: '/tools/create-file',
  account: '/account',
  admin: '/admin',
  adminUsers: '/admin/users',
  adminRequests: '/admin/requests',
  adminEmailTemplates: '/admin/email-templates',
} as const;

/** Query parameters that pages read, so links built elsewhere stay in step. */
export const searchParams = {
  /** Staging form: sources to preselect (repeatable). */
  source: 'source',
  /** Log viewer: show one request's entries. */
  request: 'request',
  /** Requests list: status filter (repeatable). */
  status: 'status',
} as const;

/** The detail page of one staging request. */
export function requestPath(id: string): string {
  return `${paths.requests}/${encodeURIComponent(id)}`;
}

/** The staging form with these source paths already selected. */
export function stagePathWithSources(sources: readonly string[]): string {
  const query = new URLSearchParams(sources.map((source) => [searchParams.source, source]));
  return sources.length ? `${paths.stage}?${query.toString()}` : paths.stage;
}

/** The live log showing one request's entries. */
export function logsPathForRequest(id: string): string {
  return `${paths.logs}?${new URLSearchParams({ [searchParams.request]: id }).toString()}`;
}
