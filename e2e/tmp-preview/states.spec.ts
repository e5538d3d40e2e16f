import { expect, test, type Page } from '@playwright/test';
import { expectNoSeriousA11yViolations } from '../helpers/a11y';
import { saveScreenshots } from '../helpers/screenshots';

async function mock(page: Page, me: unknown, methods: unknown) {
  await page.route('**/graphql', async (route) => {
    const q = route.request().postDataJSON().query as string;
    const h = route.request().headers();
    if (h['x-stagecoach-csrf'] !== '1') throw new Error('missing csrf');
    if (q.includes('stagingMethods')) {
      if (methods === 'error') return route.fulfill({ status: 200, json: { data: null, errors: [{ message: 'boom', extensions: { code: 'SITE_UNAVAILABLE' } }] } });
      return route.fulfill({ json: { data: { stagingMethods: methods } } });
    }
    return route.fulfill({ json: { data: { me } } });
  });
}
const admin = { id: '1', username: 'alice', name: 'Alice Archivist with a very long name', email: 'alice@example.org', role: 'ADMIN', status: 'ACTIVE' };
const pending = { ...admin, role: 'USER', status: 'PENDING', name: null, username: 'bob' };

for (const scheme of ['light', 'dark'] as const) {
  test.describe(scheme, () => {
    test.use({ colorScheme: scheme });
    test('error state', async ({ page }) => {
      await mock(page, admin, 'error');
      await page.goto('/');
      await expect(page.getByRole('alert')).toContainText('not reachable');
      await expect(page.getByRole('link', { name: 'Admin' })).toBeVisible();
      await expectNoSeriousA11yViolations(page);
      await saveScreenshots(page, `tmp-error-${scheme}`);
    });
    test('empty state + pending user + menu', async ({ page }) => {
      await mock(page, pending, []);
      await page.goto('/');
      await expect(page.getByText('No staging methods are enabled')).toBeVisible();
      await expect(page.getByRole('link', { name: 'Admin' })).toHaveCount(0);
      await page.getByRole('button', { name: 'Account menu for bob' }).click();
      await expect(page.getByRole('menuitem', { name: 'Sign out' })).toBeVisible();
      await expect(page.getByText('Awaiting approval')).toBeVisible();
      await expectNoSeriousA11yViolations(page);
      await saveScreenshots(page, `tmp-empty-${scheme}`);
    });
    test('loading + keyboard', async ({ page }) => {
      await page.route('**/graphql', () => {});
      await page.goto('/logs');
      await expect(page).toHaveTitle('Logs · Stagecoach');
      await page.keyboard.press('Tab');
      await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
      await page.keyboard.press('Tab');
      await expect(page.getByRole('link', { name: 'Stagecoach home' })).toBeFocused();
      await page.goto('/');
      await expect(page.getByRole('status').filter({ hasText: 'Loading staging methods' })).toBeAttached();
      await expectNoSeriousA11yViolations(page);
      await saveScreenshots(page, `tmp-loading-${scheme}`);
      await page.goto('/nope');
      await expect(page).toHaveTitle('Page not found · Stagecoach');
    });
  });
}
