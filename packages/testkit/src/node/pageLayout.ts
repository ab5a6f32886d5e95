import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Where browser tests keep their screenshots: `test-results/screenshots/` at the repository root. */
export const SCREENSHOTS = fileURLToPath(new URL('../../../../test-results/screenshots/', import.meta.url));

/** The viewports every UI is checked at: a desktop and a phone (an iPhone 12–15's CSS width). */
export const VIEWPORTS = {
  desktop: { width: 1440, height: 900 },
  phone: { width: 390, height: 844 },
} as const;

/** Saves a full-page screenshot as `test-results/screenshots/<name>.png` and returns its path. */
export async function keepScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** How many CSS pixels the page is wider than the viewport (0 when nothing overflows sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(0, (document.scrollingElement?.scrollWidth ?? 0) - window.innerWidth));
}

/**
 * The selectors whose element is missing, or cannot be seen whole inside the viewport once scrolled to (cut off
 * at a side, hidden, zero-sized). An empty list means every key control can be reached on this screen. Each
 * element is scrolled to and measured in one step in the page, so a layout still settling cannot move it between.
 */
export async function controlsOutOfView(page: Page, selectors: readonly string[]): Promise<string[]> {
  return page.evaluate((wanted) => {
    const out: string[] = [];
    for (const selector of wanted) {
      const element = document.querySelector(selector);
      if (element === null || element.getClientRects().length === 0) {
        out.push(selector);
        continue;
      }
      element.scrollIntoView({ block: 'center', inline: 'nearest' });
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      const inside =
        style.visibility !== 'hidden' &&
        box.width > 0 &&
        box.height > 0 &&
        box.left >= 0 &&
        box.top >= 0 &&
        box.right <= window.innerWidth + 0.5 &&
        box.bottom <= window.innerHeight + 0.5;
      if (!inside) out.push(selector);
    }
    return out;
  }, selectors);
}

/** A person in a browser profile of their own (own storage, so a different user), on a desktop or a phone. */
export interface Person {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught page errors and dialogs that opened (a test expects none). */
  readonly errors: string[];
}

/**
 * Opens a fresh browser context on a desktop (1440 px), a phone (390 px, touch, no hover) or a given size, with a
 * page whose uncaught errors and dialogs are collected in `errors`.
 */
export async function newPerson(
  browser: Browser,
  screen: keyof typeof VIEWPORTS | { width: number; height: number } = 'desktop',
): Promise<Person> {
  const context = await browser.newContext(
    screen === 'phone'
      ? { viewport: VIEWPORTS.phone, hasTouch: true, isMobile: true }
      : { viewport: typeof screen === 'string' ? VIEWPORTS[screen] : screen },
  );
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('dialog', (dialog) => {
    errors.push(`a dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { context, page, errors };
}
