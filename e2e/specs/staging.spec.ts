import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { expectNoSeriousA11yViolations } from '../helpers/a11y';
import { saveScreenshots } from '../helpers/screenshots';
import { ADMIN, gql, signIn, unique, USER } from '../helpers/session';

test.describe('staging form', () => {
  test('stages files picked in the browser and shows them finishing live', async ({ page }) => {
    await signIn(page, USER);
    await page.goto('/stage');
    await expect(page).toHaveTitle('Stage files · Stagecoach');

    // Only enabled methods, each with its description.
    const localCopy = page.getByRole('radio', { name: 'Local copy' });
    await expect(localCopy).toBeChecked();
    await expect(localCopy).toHaveAccessibleDescription(/read-only/);

    // Browse: a whole folder, then a single file from another folder.
    const browser = page.getByRole('tabpanel', { name: /Browse/ });
    await browser.getByRole('button', { name: /^observations/ }).click();
    await browser.getByRole('checkbox', { name: 'Select folder observations/2024-03' }).check();
    await browser.getByRole('button', { name: 'Archive' }).click();
    await browser.getByPlaceholder('Filter this folder by name').fill('do');
    await expect(browser.getByRole('button', { name: /^catalogs/ })).toBeHidden();
    await browser.getByRole('button', { name: /^docs/ }).click();
    await expect(browser.getByRole('cell', { name: 'README.txt', exact: true })).toBeVisible();
    await browser.getByRole('checkbox', { name: 'Select file docs/README.txt' }).check();

    // The destination preview shows where each item lands in the user's area.
    const folder = unique('run');
    await page.getByRole('textbox', { name: 'Folder in your user area' }).fill(folder);
    const selection = page.getByRole('region', { name: /Selected: 2 items/ });
    await expect(selection.getByText(`user/${folder}/observations/2024-03/…`)).toBeVisible();
    await page.getByRole('switch', { name: "Keep the archive's folders" }).uncheck();
    await expect(selection.getByText(`user/${folder}/README.txt`)).toBeVisible();

    await page.getByRole('checkbox', { name: 'Email me when the request has finished' }).check();
    await page.getByRole('button', { name: 'Stage 2 items' }).click();

    // Submitting lands on the new request, which finishes without a reload.
    await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { level: 1, name: /^Request [0-9a-f]{8}$/ })).toBeVisible();
    await expect(page.getByText('Succeeded', { exact: true }).first()).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText('3 of 3 files ready').first()).toBeVisible();
    const files = page.getByRole('table', { name: 'Files of this request' });
    await expect(files.getByRole('row')).toHaveCount(4);
    await expect(files.getByRole('row', { name: /obs-0001\.fits/ }).getByText('Done')).toBeVisible();
    await expect(files.getByRole('row', { name: /README\.txt/ })).toContainText(`→ ${folder}/README.txt`);
    // The request's live log shows how it went.
    await expect(page.getByRole('log', { name: 'Log entries' })).toContainText('request succeeded');
  });

  test('shows SOURCE_NOT_FOUND and PATH_OUTSIDE_ROOT next to the paths they are about', async ({ page }) => {
    // A link inside the archive that leads out of it: only the server can see that it escapes.
    const archive = path.join(process.env.E2E_DATA_DIR!, 'sites', 'archive');
    const escape = unique('escape');
    mkdirSync(path.join(archive, escape));
    symlinkSync('/etc', path.join(archive, escape, 'etc'));

    await signIn(page, USER);
    await page.goto('/stage');
    await page.getByRole('tab', { name: 'Paste a list' }).click();
    await page.getByRole('textbox', { name: 'Paths to stage' }).fill('docs/README.txt\nno/such/file.fits\n');
    await page.getByRole('button', { name: 'Add 2 paths' }).click();
    await page.getByRole('button', { name: 'Stage 2 items' }).click();

    const alert = page.getByRole('alert').filter({ hasText: 'Nothing was staged' });
    await expect(alert).toContainText('Some source files do not exist.');
    const missing = page.getByRole('listitem').filter({ hasText: 'no/such/file.fits' });
    await expect(missing).toContainText('Not found on the source site.');
    await expect(page.getByRole('listitem').filter({ hasText: 'docs/README.txt' })).not.toContainText('Not found');
    await expect(page).toHaveURL(/\/stage$/);
    await expectNoSeriousA11yViolations(page);
    await saveScreenshots(page, 'stage-errors');

    // A path that climbs out is caught before anything is sent…
    await missing.getByRole('button', { name: 'Remove no/such/file.fits' }).click();
    await page.getByRole('textbox', { name: 'Paths to stage' }).fill(`../etc/passwd\n${escape}/etc/hostname`);
    await page.getByRole('button', { name: 'Add 2 paths' }).click();
    const climbing = page.getByRole('listitem').filter({ hasText: '../etc/passwd' });
    await expect(climbing).toContainText('Not allowed: the path leads outside its site');
    await page.getByRole('button', { name: 'Stage 3 items' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Some paths cannot be staged' })).toBeVisible();

    // …and a link that leads out is refused by the server, shown on its own row.
    await climbing.getByRole('button', { name: 'Remove ../etc/passwd' }).click();
    await page.getByRole('button', { name: 'Stage 2 items' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Nothing was staged' })).toContainText('Paths must stay inside their site');
    await expect(page.getByRole('listitem').filter({ hasText: `${escape}/etc/hostname` })).toContainText('Not allowed: the path leads outside its site');
    await expect(page).toHaveURL(/\/stage$/);
  });

  test('cancels a running request after asking', async ({ page }) => {
    await signIn(page, ADMIN);
    // The e2e server pauses a LOCAL_COPY after its first MiB until it is cancelled
    // (TEST_PAUSE_LOCAL_COPY_AFTER_BYTES in playwright.config.ts): this copy is surely still running.
    const name = `${unique('big')}.bin`;
    const { createFile } = await gql<{ createFile: { path: string } }>(
      page,
      'mutation($input: CreateFileInput!) { createFile(input: $input) { path } }',
      { input: { path: name, sizeBytes: 4 * 1024 ** 2 } },
    );
    const userAreas = path.join(process.env.E2E_DATA_DIR!, 'sites', 'users');
    const copiesOfTheFile = () =>
      existsSync(userAreas) ? readdirSync(userAreas, { recursive: true, encoding: 'utf8' }).filter((f) => path.basename(f).includes(name)) : [];

    await page.goto('/stage');
    await page.getByRole('tab', { name: 'Paste a list' }).click();
    await page.getByRole('textbox', { name: 'Paths to stage' }).fill(createFile.path);
    await page.getByRole('button', { name: 'Add 1 path' }).click();
    await page.getByRole('button', { name: 'Stage 1 item' }).click();
    await expect(page).toHaveURL(/\/requests\//);
    await expect(page.getByText('Running', { exact: true }).first()).toBeVisible();
    // The partial copy, under its temporary name.
    await expect.poll(copiesOfTheFile).toEqual([expect.stringMatching(/\.stagecoach-[0-9a-f-]+\.tmp$/)]);

    await page.getByRole('button', { name: 'Cancel request' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this request?' });
    // The safe choice has the focus: Enter keeps the request running.
    await expect(dialog.getByRole('button', { name: 'Keep running' })).toBeFocused();
    await dialog.getByRole('button', { name: 'Cancel request' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText('Cancelled', { exact: true }).first()).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole('button', { name: 'Cancel request' })).toBeHidden();
    await expect(page.getByRole('log', { name: 'Log entries' })).toContainText(`request cancelled by ${ADMIN}`);
    // Cancelling removed the partial copy and published nothing.
    await expect.poll(copiesOfTheFile).toEqual([]);
  });
});
