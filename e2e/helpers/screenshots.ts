import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';

export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../screenshots');

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 375, height: 812 },
} as const;

/**
 * Saves `screenshots/<name>-desktop.png` and `<name>-mobile.png` of the current page, then puts
 * the page's viewport back so the test can go on as before.
 */
export async function saveScreenshots(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const original = page.viewportSize();
  for (const [kind, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    // From the top: a scrolled page would paint the fixed header into the middle of the full-page shot.
    await page.evaluate(() => window.scrollTo(0, 0));
    await settle(page);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${kind}.png`), fullPage: true, animations: 'disabled' });
  }
  if (original) {
    await page.setViewportSize(original);
    await settle(page);
  }
}

// Two animation frames: the resize's media queries and the re-layout have been applied by then.
async function settle(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
  );
}
