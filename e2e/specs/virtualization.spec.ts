import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ADMIN, gql, signIn, unique } from '../helpers/session';

test('a request with 10,000 files scrolls through a virtualized table', async ({ page }) => {
  test.setTimeout(240_000);
  // Tiny files written straight into the archive: the point is the table, not the copy speed.
  const folder = unique('tenk');
  const dir = path.join(process.env.E2E_DATA_DIR!, 'sites', 'archive', folder);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 10_000; i++) writeFileSync(path.join(dir, `f-${String(i).padStart(5, '0')}.txt`), `${i}\n`);

  await signIn(page, ADMIN);
  const { stage } = await gql<{ stage: { id: string } }>(page, 'mutation($input: StageInput!) { stage(input: $input) { id } }', {
    input: { method: 'LOCAL_SYMLINK', items: [{ source: folder }] },
  });
  await page.goto(`/requests/${stage.id}`);

  const table = page.getByRole('table', { name: 'Files of this request' });
  await expect(table).toHaveAttribute('aria-rowcount', '10001');
  // Only the rows in view (plus a few) exist in the page.
  expect(await table.getByRole('row').count()).toBeLessThan(80);
  await expect(page.getByText('10,000 of 10,000 files ready').first()).toBeVisible({ timeout: 180_000 });

  const body = table.getByRole('rowgroup', { name: 'File rows, scrollable' });
  await body.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  const last = table.getByRole('row', { name: /f-09999\.txt/ });
  await expect(last).toBeVisible({ timeout: 30_000 });
  await expect(last).toHaveAttribute('aria-rowindex', '10001');
  expect(await table.getByRole('row').count()).toBeLessThan(80);
});
