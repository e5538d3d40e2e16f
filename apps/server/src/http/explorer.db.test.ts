import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../test/app';
import { createTestDatabase, type TestDatabase } from '../../test/db';

let db: TestDatabase;
let webDist: string;

// A stand-in for the built web app: these tests are about which requests get the page.
const PAGE = '<!doctype html><title>explorer page</title>';
// What Chromium sends when a person opens the URL.
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const PRODUCTION = { NODE_ENV: 'production', OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'stagecoach', SESSION_SECRET: 'x'.repeat(32) };

beforeAll(async () => {
  db = await createTestDatabase();
  webDist = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-web-'));
  await fs.writeFile(path.join(webDist, 'graphiql.html'), PAGE);
  await fs.writeFile(path.join(webDist, 'index.html'), '<!doctype html><title>app</title>');
});
afterAll(() => fs.rm(webDist, { recursive: true, force: true }));

const get = (url: string, accept?: string, headers: Record<string, string> = {}) => fetch(url, { headers: { ...headers, ...(accept ? { accept } : {}) } });

describe('API explorer routes', () => {
  it('answers a browser on GET /graphql and /graphiql with the explorer page', async () => {
    const s = await startTestServer(db.orm, {}, { webDist });
    for (const p of ['/graphql', '/graphiql']) {
      const res = await get(s.url + p, BROWSER);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toBe(PAGE);
    }
    // The page's CSP is the app's: scripts from our own origin only.
    expect((await get(s.url + '/graphql', BROWSER)).headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
  });

  it('still answers GraphQL GET queries from API clients with JSON', async () => {
    const s = await startTestServer(db.orm, {}, { webDist });
    for (const accept of [undefined, 'application/json', 'application/graphql-response+json', '*/*']) {
      // Apollo's CSRF prevention wants a non-simple request: a JSON content type (or a preflight header).
      const res = await get(`${s.url}/graphql?query=${encodeURIComponent('{__typename}')}`, accept, { 'content-type': 'application/json' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
    }
  });

  it('is off in production unless GRAPHQL_EXPLORER=on; off, a browser gets what it got before', async () => {
    const production = await startTestServer(db.orm, PRODUCTION, { webDist });
    const switchedOff = await startTestServer(db.orm, { GRAPHQL_EXPLORER: 'off' }, { webDist });
    for (const s of [production, switchedOff]) {
      const res = await get(s.url + '/graphql', BROWSER);
      expect(res.headers.get('content-type')).not.toMatch(/text\/html/);
      expect(res.status).toBe(400); // Apollo: a GET without a query
      expect(await (await get(s.url + '/graphiql.html', BROWSER)).text()).not.toBe(PAGE);
      expect(await (await get(s.url + '/graphiql', BROWSER)).text()).not.toBe(PAGE);
    }
    const on = await startTestServer(db.orm, { ...PRODUCTION, GRAPHQL_EXPLORER: 'on' }, { webDist });
    expect(await (await get(on.url + '/graphql', BROWSER)).text()).toBe(PAGE);
  });
});
