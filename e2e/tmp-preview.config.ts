import { defineConfig } from '@playwright/test';
export default defineConfig({
  testDir: 'tmp-preview', outputDir: '/tmp/pw-tmp-results', reporter: 'list', workers: 1,
  use: { baseURL: 'http://127.0.0.1:4173', browserName: 'chromium', viewport: { width: 1280, height: 800 },
    launchOptions: { executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] } },
  webServer: { command: 'pnpm --filter @stagecoach/web exec vite preview --host 127.0.0.1 --port 4173 --strictPort', url: 'http://127.0.0.1:4173/', reuseExistingServer: false, timeout: 30000 },
});
