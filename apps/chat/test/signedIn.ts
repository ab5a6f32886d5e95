import { VIEWPORTS } from '@twohop/testkit/node';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

/** A person in a browser profile of their own (own storage: a different user), signed in. */
export interface Person {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught page errors and dialogs that opened (a test expects none). */
  readonly errors: string[];
}

/**
 * Opens the chat at `url` in `room` on a desktop (1440 px) or a phone (390 px, touch, no hover), signs in as
 * `name` and waits until the connection is live.
 */
export async function signedIn(
  browser: Browser,
  url: string,
  name: string,
  options: { room?: string; screen?: keyof typeof VIEWPORTS | { width: number; height: number } } = {},
): Promise<Person> {
  const screen = options.screen ?? 'desktop';
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
  await page.goto(`${url}/?room=${options.room ?? 'general'}`);
  await page.fill('[data-test=name]', name);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-test=composer]');
  await expect.poll(() => page.textContent('[data-test=connection]')).toContain('live');
  return { context, page, errors };
}

/** Types `text` in the composer and sends it with Enter. */
export async function say(page: Page, text: string): Promise<void> {
  await page.fill('[data-test=composer]', text);
  await page.press('[data-test=composer]', 'Enter');
}
