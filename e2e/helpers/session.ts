import { expect, type Page } from '@playwright/test';

/** Accounts of the development IdP (fixtures/oidc/users.json); any other login is a new, pending person. */
export const ADMIN = 'admin@example.org';
export const USER = 'user@example.org';

/**
 * Signs in through the real OIDC flow against the built-in development IdP (any password):
 * /auth/login → the IdP's login form → back to the app with a session cookie.
 */
export async function signIn(page: Page, login: string): Promise<void> {
  await page.goto('/auth/login');
  await page.getByLabel('Login').fill(login);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/dev-idp') && !url.pathname.startsWith('/auth/'));
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

interface GraphQLResult<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/**
 * Runs a GraphQL operation with the page's session cookie (setup and checks that need no UI),
 * sending the CSRF header the server requires for cookie-authenticated requests.
 */
export async function gql<T = Record<string, unknown>>(page: Page, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await page.request.post('/graphql', {
    headers: { 'content-type': 'application/json', 'x-stagecoach-csrf': '1' },
    data: { query, variables },
    timeout: 120_000,
  });
  const body = (await response.json()) as GraphQLResult<T>;
  if (body.errors?.length) throw new Error(`GraphQL ${body.errors[0]!.extensions?.code}: ${body.errors[0]!.message}`);
  return body.data as T;
}

/** A short unique suffix, so specs never collide on paths or names within one server run. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
