/**
 * Roots of React Query keys that more than one feature touches: a feature that changes server
 * state (e.g. staging a request) invalidates another feature's queries by root, without importing it.
 */
export const queryRoots = {
  session: 'session',
  requests: 'requests',
  logs: 'logs',
  users: 'users',
} as const;
