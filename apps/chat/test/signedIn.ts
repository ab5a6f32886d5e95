import { newPerson, type Person, type VIEWPORTS } from '@twohop/testkit/node';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';

export type { Person };

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
  const person = await newPerson(browser, options.screen ?? 'desktop');
  const { page } = person;
  await page.goto(`${url}/?room=${options.room ?? 'general'}`);
  await page.fill('[data-test=name]', name);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-test=composer]');
  await expect.poll(() => page.textContent('[data-test=connection]')).toContain('live');
  return person;
}

/** Types `text` in the composer and sends it with Enter. */
export async function say(page: Page, text: string): Promise<void> {
  await page.fill('[data-test=composer]', text);
  await page.press('[data-test=composer]', 'Enter');
}
