import { expect, test } from '@playwright/test';
import { expectNoSeriousA11yViolations } from '../helpers/a11y';
import { saveScreenshots } from '../helpers/screenshots';
import { signIn, unique, USER } from '../helpers/session';

async function whoAmI(baseURL: string, secret: string): Promise<{ email?: string; code?: string }> {
  const response = await fetch(`${baseURL}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: JSON.stringify({ query: '{ me { email } }' }),
  });
  const body = (await response.json()) as { data?: { me: { email: string } | null }; errors?: Array<{ extensions?: { code?: string } }> };
  return { email: body.data?.me?.email, code: body.errors?.[0]?.extensions?.code };
}

test.describe('API tokens', () => {
  test('creates a token shown once, which works until it is revoked', async ({ page, baseURL }) => {
    await signIn(page, USER);
    await page.goto('/account');
    await expect(page).toHaveTitle('Account · Stagecoach');
    await expect(page.getByRole('region', { name: 'Profile' })).toContainText(USER);

    const name = unique('script');
    await page.getByRole('textbox', { name: 'Name' }).fill(name);
    await page.getByRole('combobox', { name: 'Expires after' }).click();
    await page.getByRole('option', { name: '30 days' }).click();
    await page.getByRole('button', { name: 'Create token' }).click();

    const secret = (await page.getByTestId('token-secret').textContent())?.trim() ?? '';
    expect(secret.length).toBeGreaterThan(20);
    await expect(page.getByText(`Authorization: Bearer ${secret}`)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Copy secret' })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await saveScreenshots(page, 'account-token-created');

    expect(await whoAmI(baseURL!, secret)).toEqual({ email: USER, code: undefined });

    const row = page.getByRole('row', { name: new RegExp(name) });
    await expect(row).toContainText('Expires in 30 days');
    await row.getByRole('button', { name: `Revoke ${name}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await expect(row).toContainText('Revoked');

    expect((await whoAmI(baseURL!, secret)).code).toBe('UNAUTHENTICATED');
  });
});
