import { expect, test } from '@playwright/test';
import { expectNoSeriousA11yViolations } from '../helpers/a11y';
import { saveScreenshots } from '../helpers/screenshots';

test.describe('home page', () => {
  test('lists the staging methods the server offers', async ({ page }) => {
    await page.goto('/');

    await expect(page.getByRole('heading', { level: 1, name: 'Welcome to Stagecoach' })).toBeVisible();
    const localCopy = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Local copy' }) });
    await expect(localCopy).toBeVisible();
    await expect(localCopy.getByText('LOCAL_COPY')).toBeVisible();
    await expect(page).toHaveTitle('Home · Stagecoach');
    expect(await page.evaluate(() => document.title)).toBe('Home · Stagecoach');

    await expectNoSeriousA11yViolations(page);
    await saveScreenshots(page, 'home');
  });

  test('offers sign-in to an anonymous visitor', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('link', { name: 'Sign in', exact: true })).toHaveAttribute('href', '/auth/login');
  });

  test('has no serious accessibility violations in the dark color scheme', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Local copy' })).toBeVisible();
    await page.getByRole('button', { name: 'Switch to dark color scheme' }).click();
    await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
    await expectNoSeriousA11yViolations(page);
    // The choice is remembered across visits.
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
    await expect(page.getByRole('heading', { name: 'Local copy' })).toBeVisible();
    await saveScreenshots(page, 'home-dark');
  });

  test('keeps navigation reachable behind the burger on a phone', async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto('/');
    const burger = page.getByRole('button', { name: 'Open navigation' });
    await expect(burger).toBeVisible();
    await burger.click();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Requests' }).click();
    // Anonymous: the requests page asks to sign in first.
    await expect(page).toHaveURL(/\/requests$/);
    await expect(page).toHaveTitle('Sign in · Stagecoach');
    // Choosing a destination closes the menu again.
    await expect(page.getByRole('button', { name: 'Open navigation' })).toBeVisible();
  });
});
