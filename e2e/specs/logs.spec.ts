import { expect, test } from '@playwright/test';
import { ADMIN, gql, signIn, unique } from '../helpers/session';

const STAGE = 'mutation($input: StageInput!) { stage(input: $input) { id } }';

test.describe('live log', () => {
  test('streams new entries, follows the newest, filters by level, pauses and copies a line', async ({ page, context }) => {
    test.setTimeout(120_000);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await signIn(page, ADMIN);
    await page.goto('/logs');
    await expect(page).toHaveTitle('Live log · Stagecoach');
    const log = page.getByRole('log', { name: 'Log entries' });
    await expect(page.getByRole('status').filter({ hasText: /^Live$/ })).toBeVisible();

    // Enough files for more lines than fit on screen: the view must keep following the newest.
    const folder = unique('many');
    for (let i = 0; i < 40; i++) {
      await gql(page, 'mutation($input: CreateFileInput!) { createFile(input: $input) { path } }', {
        input: { path: `${folder}/f-${String(i).padStart(2, '0')}.txt`, content: `file ${i}\n` },
      });
    }
    const { stage } = await gql<{ stage: { id: string } }>(page, STAGE, {
      input: { method: 'LOCAL_COPY', items: [{ source: `sandbox/${folder}`, target: folder }] },
    });
    // Not asserting the "request submitted" line itself: a fast worker's 40 lines can push it out of
    // the virtualized, newest-following view before the check runs.
    await expect(log).toContainText('request succeeded', { timeout: 30_000 });
    await expect(log).toContainText(`f-39.txt`);
    await expect.poll(() => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(60);

    // Scrolling up to read stops following; one click goes back to the newest line.
    await log.evaluate((el) => el.scrollTo({ top: 0 }));
    await expect(page.getByRole('switch', { name: 'Follow newest' })).not.toBeChecked();
    await page.getByRole('button', { name: 'Jump to newest' }).click();
    await expect(page.getByRole('switch', { name: 'Follow newest' })).toBeChecked();

    // A different file onto an existing target fails: an ERROR entry.
    await gql(page, STAGE, { input: { method: 'LOCAL_COPY', items: [{ source: 'docs/README.txt', target: `${folder}/f-00.txt` }] } });
    await expect(log).toContainText('request failed', { timeout: 30_000 });

    const levels = page.getByRole('radiogroup', { name: 'Minimum level' });
    await levels.getByText('Error', { exact: true }).click();
    await expect(log).not.toContainText('request submitted');
    await expect(log).toContainText('request failed');
    await expect(log).toContainText('docs/README.txt');
    await levels.getByText('Info', { exact: true }).click();
    await expect(log).toContainText('request submitted');

    // Text search narrows to one request's lines.
    await page.getByRole('textbox', { name: 'Search' }).fill(stage.id);
    await expect(log).not.toContainText('docs/README.txt');
    await expect(log).toContainText('request succeeded');
    await page.getByRole('textbox', { name: 'Search' }).fill('');

    // Paused: new lines wait until resumed.
    await page.getByRole('button', { name: 'Pause' }).click();
    await gql(page, STAGE, { input: { method: 'LOCAL_COPY', items: [{ source: 'catalogs/stars.csv', target: `${unique('paused')}.csv` }] } });
    await expect(page.getByRole('button', { name: /^Resume \(\d+ new\)$/ })).toBeVisible({ timeout: 30_000 });
    await expect(log).not.toContainText('catalogs/stars.csv');
    await page.getByRole('button', { name: /^Resume/ }).click();
    await expect(log).toContainText('catalogs/stars.csv');

    // Copy one line.
    const line = log.locator('div[data-level]').filter({ hasText: 'request failed' }).first();
    await line.hover();
    await line.getByRole('button', { name: /^Copy line/ }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Line copied to the clipboard' })).toBeAttached();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z ERROR request=[0-9a-f-]{36} request failed/);
  });

  test('an administrator can switch to everyone’s entries', async ({ page, browser }) => {
    // Someone else stages something.
    const other = await browser.newPage();
    await signIn(other, 'user@example.org');
    const target = `${unique('theirs')}.txt`;
    await gql(other, STAGE, { input: { method: 'LOCAL_COPY', items: [{ source: 'docs/README.txt', target }] } });
    await other.close();

    await signIn(page, ADMIN);
    await page.goto('/logs');
    const log = page.getByRole('log', { name: 'Log entries' });
    await expect(log).not.toContainText(target);
    await page.getByRole('switch', { name: 'All users' }).check();
    await expect(log).toContainText(target);
  });
});
