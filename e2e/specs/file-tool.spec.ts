import { createHash } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { ADMIN, signIn, unique } from '../helpers/session';

test.describe('file-creation tool', () => {
  test('creates a file in the sandbox, shows its checksum, then stages it', async ({ page }) => {
    await signIn(page, ADMIN);
    await page.goto('/tools/create-file');
    await expect(page).toHaveTitle('Create a test file · Stagecoach');

    // Paths are confined to the sandbox.
    const name = page.getByRole('textbox', { name: 'File name' });
    await name.fill('../outside.txt');
    await page.getByRole('button', { name: 'Create file' }).click();
    await expect(page.getByText('Paths must stay inside their site')).toBeVisible();

    const path = `e2e/${unique('note')}.txt`;
    const content = `observing log\n${path}\n`;
    await name.fill(path);
    await page.getByText('Text I type').click();
    await page.getByRole('textbox', { name: 'Text content' }).fill(content);
    await page.getByRole('button', { name: 'Create file' }).click();

    const created = page.getByRole('status').filter({ hasText: 'File created' });
    await expect(created).toContainText(`sandbox/${path}`);
    await expect(created).toContainText(createHash('sha256').update(content).digest('hex'));

    await created.getByRole('link', { name: 'Stage this file' }).click();
    await expect(page).toHaveURL(/\/stage\?source=/);
    await expect(page.getByRole('region', { name: /Selected: 1 item/ })).toContainText(`sandbox/${path}`);
    await page.getByRole('button', { name: 'Stage 1 item' }).click();
    await expect(page).toHaveURL(/\/requests\//);
    await expect(page.getByText('Succeeded', { exact: true }).first()).toBeVisible({ timeout: 30_000 });
    const row = page.getByRole('table', { name: 'Files of this request' }).getByRole('row', { name: new RegExp(path.replace('.', '\\.')) });
    await expect(row).toContainText(createHash('sha256').update(content).digest('hex').slice(0, 12));
  });
});
