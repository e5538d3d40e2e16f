/** Every client-side route's path in one place, so features can link without importing each other. */
export const paths = {
  home: '/',
  requests: '/requests',
  logs: '/logs',
  account: '/account',
  admin: '/admin',
} as const;
