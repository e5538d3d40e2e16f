import { expect, test, type Page } from '@playwright/test';
import { expectNoSeriousA11yViolations } from '../helpers/a11y';
import { saveScreenshots, VIEWPORTS } from '../helpers/screenshots';
import { ADMIN, gql, signIn, unique } from '../helpers/session';

const STAGE = 'mutation($input: StageInput!) { stage(input: $input) { id } }';

interface PageCase {
  name: string;
  path: () => string;
  title: string | RegExp;
  /** Something that is only there once the page's data has arrived. */
  ready: (page: Page) => Promise<void>;
}

let succeededId = '';
let failedId = '';
let pendingEmail = '';

/**
 * Data so that every page has something to show: a finished request, a failed one, a person
 * waiting for approval, a token.
 */
test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  // A context of its own: axe needs one, and the newcomer must not share the admin's cookies.
  const newcomerContext = await browser.newContext();
  const newcomer = await newcomerContext.newPage();
  pendingEmail = `${unique('newcomer')}@example.org`;
  await newcomer.goto('/auth/login');
  await newcomer.getByLabel('Login').fill(pendingEmail);
  await newcomer.getByRole('button', { name: 'Sign in' }).click();
  await expect(newcomer.getByText('Your account is waiting for approval')).toBeVisible();
  await newcomer.goto('/stage');
  await expect(newcomer.getByRole('heading', { level: 1, name: 'Waiting for approval' })).toBeVisible();
  await expect(newcomer).toHaveTitle('Waiting for approval · Stagecoach');
  await expectNoSeriousA11yViolations(newcomer);
  await saveScreenshots(newcomer, 'waiting-for-approval');
  await newcomerContext.close();

  const admin = await browser.newPage();
  await signIn(admin, ADMIN);
  const target = unique('shots');
  succeededId = (
    await gql<{ stage: { id: string } }>(admin, STAGE, {
      input: { method: 'LOCAL_COPY', items: [{ source: 'observations', target: `${target}/observations` }, { source: 'catalogs' , target: `${target}/catalogs` }] },
    })
  ).stage.id;
  // The next request must lose the race for catalogs/stars.csv: start it only once this one is done.
  await expect
    .poll(async () => (await gql<{ stagingRequest: { status: string } }>(admin, 'query($id: ID!) { stagingRequest(id: $id) { status } }', { id: succeededId })).stagingRequest.status, { timeout: 60_000 })
    .toBe('SUCCEEDED');
  failedId = (
    await gql<{ stage: { id: string } }>(admin, STAGE, {
      input: { method: 'LOCAL_COPY', items: [{ source: 'docs/README.txt', target: `${target}/catalogs/stars.csv` }] },
    })
  ).stage.id;
  await gql(admin, 'mutation { createApiToken(name: "laptop", expiresInDays: 30) { secret } }');
  await admin.close();
});

const visible = (text: string | RegExp) => async (page: Page) => {
  await expect(page.getByText(text).first()).toBeVisible({ timeout: 30_000 });
};

const PAGES: PageCase[] = [
  { name: 'home', path: () => '/', title: 'Home · Stagecoach', ready: visible('Recent requests') },
  { name: 'stage', path: () => '/stage', title: 'Stage files · Stagecoach', ready: visible('observations') },
  { name: 'requests', path: () => '/requests', title: 'Requests · Stagecoach', ready: visible('Local copy · 5 files') },
  { name: 'request', path: () => `/requests/${succeededId}`, title: /^Request [0-9a-f]{8} · Stagecoach$/, ready: visible('5 of 5 files ready') },
  { name: 'request-failed', path: () => `/requests/${failedId}`, title: /^Request [0-9a-f]{8} · Stagecoach$/, ready: visible('Retry failed files') },
  { name: 'logs', path: () => '/logs', title: 'Live log · Stagecoach', ready: visible('request failed') },
  { name: 'create-file', path: () => '/tools/create-file', title: 'Create a test file · Stagecoach', ready: visible('New test file') },
  { name: 'account', path: () => '/account', title: 'Account · Stagecoach', ready: visible('laptop') },
  { name: 'admin-users', path: () => '/admin/users', title: 'Users · Stagecoach', ready: (page) => visible(pendingEmail)(page) },
  { name: 'admin-requests', path: () => '/admin/requests', title: 'All requests · Stagecoach', ready: visible('Local copy · 5 files') },
  { name: 'admin-email-templates', path: () => '/admin/email-templates', title: 'Email templates · Stagecoach', ready: visible('Subject:') },
  { name: 'not-found', path: () => '/no/such/page', title: 'Page not found · Stagecoach', ready: visible('There is no page at this address.') },
];

async function settled(page: Page, c: PageCase): Promise<void> {
  await c.ready(page);
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
}

test.describe('every page, light and dark, desktop and 375 px', () => {
  for (const c of PAGES) {
    test(c.name, async ({ page }) => {
      test.setTimeout(90_000);
      await signIn(page, ADMIN);
      await page.goto(c.path());
      await settled(page, c);
      await expect(page).toHaveTitle(c.title);
      await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);

      await expectNoSeriousA11yViolations(page);
      await saveScreenshots(page, c.name);

      // Nothing spills sideways on a phone: the page is exactly as wide as the screen.
      await page.setViewportSize(VIEWPORTS.mobile);
      await settled(page, c);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(VIEWPORTS.mobile.width);

      await page.setViewportSize(VIEWPORTS.desktop);
      await page.emulateMedia({ colorScheme: 'dark' });
      await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
      await settled(page, c);
      await expectNoSeriousA11yViolations(page);
      await saveScreenshots(page, `${c.name}-dark`);
    });
  }

  test('sign-in prompt for a page that needs an account', async ({ page }) => {
    await page.goto('/stage');
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in to continue' })).toBeVisible();
    await expect(page).toHaveTitle('Sign in · Stagecoach');
    await expectNoSeriousA11yViolations(page);
    await saveScreenshots(page, 'sign-in-required');
  });

  test('pending accounts offer accessible Approve and Reject buttons', async ({ page }) => {
    await signIn(page, ADMIN);
    await page.goto('/admin/users');
    const card = page.getByRole('listitem', { name: pendingEmail });
    await expect(card.getByRole('button', { name: 'Approve', exact: true })).toBeVisible();
    await card.getByRole('button', { name: 'Reject', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Reject ${pendingEmail}?` });
    await expect(dialog.getByRole('textbox', { name: 'Reason (optional)' })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await saveScreenshots(page, 'admin-users-reject-dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
  });
});
