import { chmodSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 4100);
const BASE_URL = `http://127.0.0.1:${PORT}`;
const SERVER_ENTRY = path.resolve(import.meta.dirname, '../apps/server/dist/main.js');
// The server mails through SMTP on this port, where global-setup.ts catches every mail for the
// specs to read (helpers/mailbox.ts).
process.env.E2E_SMTP_PORT ??= String(PORT + 25);
const SMTP_URL = `smtp://127.0.0.1:${process.env.E2E_SMTP_PORT}`;

// Playwright loads this file again in every worker; workers inherit the runner's environment, so
// the variable makes them reuse the runner's directory instead of creating new ones.
process.env.E2E_DATA_DIR ??= freshDataDir();

function freshDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'stagecoach-e2e-'));
  // Embedded PostgreSQL runs as user `postgres`, which must be able to traverse this directory.
  chmodSync(dir, 0o755);
  return dir;
}

if (!existsSync(SERVER_ENTRY)) {
  throw new Error(`${SERVER_ENTRY} is missing: build first with \`pnpm build\` (the e2e run tests the built server).`);
}

export default defineConfig({
  testDir: 'specs',
  globalSetup: './global-setup.ts',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: BASE_URL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        viewport: { width: 1280, height: 800 },
        launchOptions: {
          // Debian's Chromium: Playwright's own browser download does not work on these machines.
          executablePath: '/usr/bin/chromium',
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: {
    command: `node ${JSON.stringify(SERVER_ENTRY)}`,
    url: `${BASE_URL}/readyz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      PORT: String(PORT),
      HOST: '127.0.0.1',
      PUBLIC_URL: BASE_URL,
      DATA_DIR: process.env.E2E_DATA_DIR,
      SMTP_URL,
      MAIL_FROM: 'Stagecoach <stagecoach@e2e.test>',
      // Copies of more than 1 MiB wait to be cancelled (see specs/staging.spec.ts); fixtures are smaller.
      TEST_PAUSE_LOCAL_COPY_AFTER_BYTES: String(1024 ** 2),
    },
  },
});
