import { expect, test, type Locator, type Page } from '@playwright/test';
import { saveScreenshots } from '../helpers/screenshots';
import { gql, signIn, unique, USER } from '../helpers/session';

/**
 * Replaces a Monaco editor's text as if pasted. Monaco may still close a brace a second time, so
 * whatever follows the cursor afterwards goes.
 */
async function replaceText(page: Page, editor: Locator, text: string): Promise<void> {
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
  await page.keyboard.press('Shift+ControlOrMeta+End');
  await page.keyboard.press('Delete');
}

test.describe('API explorer', () => {
  // Monaco and its three workers load slowly on a busy machine.
  test.beforeEach(() => test.setTimeout(90_000));

  test('runs a query typed at GET /graphql with the session, all from our own origin', async ({ page, baseURL }) => {
    // Offline: nothing is fetched from another origin, and the CSP lets everything the page needs.
    const origin = new URL(baseURL!).origin;
    const elsewhere: string[] = [];
    const cspViolations: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== origin && url.origin.replace(/^ws/, 'http') !== origin) elsewhere.push(request.url());
    });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });

    await signIn(page, USER);
    await page.goto('/graphql');
    await expect(page).toHaveTitle('Stagecoach API explorer');

    // The schema is there: the documentation explorer lists the root types.
    await page.getByRole('button', { name: /Show Documentation Explorer/i }).click();
    await expect(page.locator('.graphiql-doc-explorer')).toContainText('Query');

    const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
    await expect(editor).toContainText('stagingMethods'); // the default query
    await replaceText(page, editor, 'query Explorer { me { email role } }');
    await expect(editor).toContainText('query Explorer');
    await page.keyboard.press('Control+Enter');

    const response = page.locator('.graphiql-response');
    await expect(response).toContainText(`"email": "${USER}"`);
    await expect(response).toContainText('"role": "USER"');
    // No axe scan: the page is GraphiQL's own markup and palette (it nests its tab controls and
    // fails contrast in the docs pane), which the app's accessibility bar is not about.
    await saveScreenshots(page, 'api-explorer');

    expect(elsewhere).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  test('a pasted API token works without a session, for queries and subscriptions (WebSocket)', async ({ page, browser }) => {
    await signIn(page, USER);
    const { createApiToken } = await gql<{ createApiToken: { secret: string } }>(page, 'mutation($n: String!) { createApiToken(name: $n, expiresInDays: 1) { secret } }', { n: unique('explorer') });
    const { stage } = await gql<{ stage: { id: string } }>(page, 'mutation($i: StageInput!) { stage(input: $i) { id } }', {
      i: { method: 'LOCAL_COPY', items: [{ source: 'docs/README.txt', target: `${unique('explorer')}/README.txt` }] },
    });

    // A browser that never signed in: only the token can make the server answer as USER.
    const anonymous = await browser.newPage();
    // Listened for from the start: GraphiQL may open its socket at any point after the page loads.
    const sockets: string[] = [];
    anonymous.on('websocket', (ws) => void sockets.push(new URL(ws.url()).pathname));
    await anonymous.goto('/graphiql');
    await anonymous.getByRole('button', { name: 'Headers' }).click();
    const headers = anonymous.locator('.graphiql-editor-tool .monaco-editor').last();
    await replaceText(anonymous, headers, `{"Authorization": "Bearer ${createApiToken.secret}"}`);

    const editor = anonymous.locator('.graphiql-query-editor .monaco-editor').first();
    await replaceText(anonymous, editor, '{ me { email } }');
    await anonymous.keyboard.press('Control+Enter');
    const response = anonymous.locator('.graphiql-response');
    await expect(response).toContainText(`"email": "${USER}"`);

    await replaceText(anonymous, editor, `subscription { stagingRequestUpdated(id: "${stage.id}") { id } }`);
    await anonymous.keyboard.press('Control+Enter');
    await expect(response).toContainText(`"id": "${stage.id}"`);
    expect(sockets).toContain('/graphql');
    await anonymous.close();
  });
});
