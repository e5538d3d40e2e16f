import { expect, test } from '@playwright/test';
import { waitForMail } from '../helpers/mailbox';
import { ADMIN, gql, signIn, unique } from '../helpers/session';

test.describe('sign-up approval', () => {
  test('a new person signs in, waits, is approved by an admin, gets the email and can stage', async ({ browser, baseURL }) => {
    test.setTimeout(120_000);
    // An administrator exists before the sign-up (the fixture admin), so there is someone to tell.
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await signIn(admin, ADMIN);

    // A new person signs in for real at the development IdP.
    const login = unique('newbie');
    const email = `${login}@example.org`;
    const newcomerContext = await browser.newContext();
    const page = await newcomerContext.newPage();
    await page.goto('/');
    await page.getByRole('link', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expect(page.getByRole('note')).toContainText('Development identity provider');
    await page.getByLabel('Login').fill(login);
    await page.getByLabel('Password (ignored)').fill('anything');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${baseURL}/`);

    // They see that they wait for approval, and the staging pages tell them so too.
    await expect(page.getByText('Your account is waiting for approval')).toBeVisible();
    await page.goto('/stage');
    await expect(page.getByRole('heading', { level: 1, name: 'Waiting for approval' })).toBeVisible();

    // The admins are emailed about the sign-up, with a link to the approval page.
    const signup = await waitForMail(ADMIN, `New Stagecoach sign-up waiting for approval: ${email}`);
    expect(signup.text).toContain(`${baseURL}/admin/users`);

    // The admin approves them on the users page.
    await admin.goto('/admin/users');
    const card = admin.getByRole('listitem', { name: email });
    await card.getByRole('button', { name: /approve/i }).click();
    await expect(admin.getByRole('status').filter({ hasText: `${email} is approved and has been emailed.` })).toBeAttached();
    await expect(admin.getByRole('listitem', { name: email })).toBeHidden();

    // The approval email arrives (caught by the run's in-process SMTP server, global-setup.ts).
    const approved = await waitForMail(email, 'Your Stagecoach account has been approved');
    expect(approved.from?.text).toContain('stagecoach@e2e.test');
    expect(approved.text).toContain(`approved your Stagecoach account (${email})`);
    expect(approved.html).toContain(`href="${baseURL}"`);

    // Now they can stage a file.
    await page.goto('/stage');
    await expect(page).toHaveTitle('Stage files · Stagecoach');
    const { stage } = await gql<{ stage: { id: string } }>(page, 'mutation($i: StageInput!) { stage(input: $i) { id } }', {
      i: { method: 'LOCAL_COPY', items: [{ source: 'docs/README.txt', target: `${login}/README.txt` }] },
    });
    await page.goto(`/requests/${stage.id}`);
    await expect(page.getByText('Succeeded', { exact: true }).first()).toBeVisible({ timeout: 30_000 });

    await adminContext.close();
    await newcomerContext.close();
  });
});
