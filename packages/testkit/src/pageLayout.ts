import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

/** Where browser tests keep their screenshots: `test-results/screenshots/` at the repository root. */
export const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));

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
 * at a side, hidden, zero-sized). An empty list means every key control can be reached on this screen.
 */
export async function controlsOutOfView(page: Page, selectors: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const { width, height } = page.viewportSize() ?? { width: 0, height: 0 };
  for (const selector of selectors) {
    const element = page.locator(selector).first();
    if ((await element.count()) === 0 || !(await element.isVisible())) {
      out.push(selector);
      continue;
    }
    await element.scrollIntoViewIfNeeded();
    const box = await element.boundingBox();
    const inside =
      box !== null &&
      box.width > 0 &&
      box.height > 0 &&
      box.x >= 0 &&
      box.y >= 0 &&
      box.x + box.width <= width + 0.5 &&
      box.y + box.height <= height + 0.5;
    if (!inside) out.push(selector);
  }
  return out;
}
