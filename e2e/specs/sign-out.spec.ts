import { expect, test } from '@playwright/test';
import { ADMIN, signIn, USER } from '../helpers/session';

test.describe('sign-out', () => {
  test('ends the session at the identity provider too: "Sign in" afterwards asks who you are', async ({ page }) => {
    await signIn(page, USER);
    await page.getByRole('button', { name: 'Sign out' }).click();

    // The app hands over to the IdP's logout, which confirms and sends the browser back.
    await expect(page).toHaveURL(/\/dev-idp\/session\/end/);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await expect(page.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
    expect(new URL(page.url()).pathname).toBe('/');

    // Signing in again shows the IdP's login form instead of reusing the previous person's IdP session.
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await expect(page.getByLabel('Login')).toBeVisible();
    await page.getByLabel('Login').fill(ADMIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
    await expect(page.getByText('Ada Admin')).toBeVisible();
  });
});
