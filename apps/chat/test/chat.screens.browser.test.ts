import { startApp, type StartedApp } from '@twohop/app-kit';
import { TYPING_EXPIRES_MS } from '../src/domain/wire.js';
import { controlsOutOfView, horizontalOverflow, keepScreenshot, launchChromium } from '@twohop/testkit/node';
import { buildUi } from '@twohop/vue/vite';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatServer } from '../src/server/createChatServer.js';
import { say, signedIn } from './signedIn.js';

const appRoot = fileURLToPath(new URL('..', import.meta.url));
let server: ReturnType<typeof createChatServer>;
let app: StartedApp<typeof server>;
let browser: Browser;
let url: string;

beforeAll(async () => {
  await buildUi(new URL('..', import.meta.url));
  server = createChatServer({ webRoot: `${appRoot}dist/web/`, seedRooms: ['general'] });
  app = await startApp(server);
  url = app.url;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** A person on a desktop or a phone (touch, no hover), signed in, in `room`. */
const person = (name: string, screen: 'desktop' | 'phone', room: string) =>
  signedIn(browser, url, name, { screen, room });

const heading = (page: Page) => page.locator('.room-head h2').textContent();

const KEY_CONTROLS = [
  '[data-test=connection]',
  '[data-test=sign-out]',
  '[data-test=new-room]',
  '[data-test=create-room]',
  '[data-test=composer]',
  '[data-test=send]',
  '[data-test=leave]',
];

describe('chat screens in Chromium, at 1440 and 390 px', () => {
  it('on a phone: creates a room, shows its empty state, sends, edits and deletes by touch; nothing off screen', async () => {
    const ada = await person('Ada', 'phone', 'general');
    try {
      expect(await horizontalOverflow(ada.page)).toBe(0);
      expect(await controlsOutOfView(ada.page, KEY_CONTROLS)).toEqual([]);

      await ada.page.fill('[data-test=new-room]', 'pocket');
      await ada.page.tap('[data-test=create-room]');
      await expect.poll(() => heading(ada.page)).toContain('pocket');
      await expect.poll(() => ada.page.isVisible('[data-test=empty-room]')).toBe(true);
      expect(await ada.page.textContent('[data-test=empty-room]')).toContain('No messages in # pocket yet');
      await keepScreenshot(ada.page, 'chat-empty-room-390');

      await say(ada.page, 'first from a phone');
      const message = ada.page.locator('[data-test=message]', { hasText: 'first from a phone' });
      await expect.poll(() => message.count()).toBe(1);
      // Edit and delete are there without hovering: a touch screen has no hover.
      expect(await message.locator('[data-test=edit]').isVisible()).toBe(true);
      expect(await message.locator('[data-test=delete]').isVisible()).toBe(true);
      await message.locator('[data-test=edit]').tap();
      await ada.page.fill('[data-test=edit-input]', 'first from a phone, edited');
      await ada.page.press('[data-test=edit-input]', 'Enter');
      await expect
        .poll(() => ada.page.locator('[data-test=message] [data-test=text]').allTextContents())
        .toEqual(['first from a phone, edited']);
      await say(ada.page, 'second');
      await expect.poll(() => ada.page.locator('[data-test=message]').count()).toBe(2);
      expect(await horizontalOverflow(ada.page)).toBe(0);
      expect(await controlsOutOfView(ada.page, KEY_CONTROLS)).toEqual([]);
      await keepScreenshot(ada.page, 'chat-room-390');
      await ada.page
        .locator('[data-test=message]', { hasText: 'second' })
        .locator('[data-test=delete]')
        .tap();
      await expect.poll(() => ada.page.locator('[data-test=message].deleted').count()).toBe(1);
      expect(ada.errors).toEqual([]);
    } finally {
      await ada.context.close();
    }
  }, 60_000);

  it('on a desktop: "seen by" goes with a deleted message, "is typing…" ends at its expiry, no internal numbers', async () => {
    const ada = await person('Ada', 'desktop', 'general');
    const bob = await person('Bob', 'desktop', 'general');
    try {
      await say(ada.page, 'read me');
      await say(ada.page, 'and me');
      // Bob has the room open and visible, so he reads both: Ada sees it on each.
      const seen = () => ada.page.locator('[data-test=message] .seen').allTextContents();
      await expect.poll(seen, { timeout: 10_000 }).toEqual(['seen by 1', 'seen by 1']);
      await ada.page
        .locator('[data-test=message]', { hasText: 'read me' })
        .locator('[data-test=delete]')
        .click();
      await expect.poll(() => ada.page.locator('[data-test=message].deleted').count()).toBe(1);
      expect(await ada.page.locator('[data-test=message].deleted .seen').count()).toBe(0);
      expect(await seen()).toEqual(['seen by 1']);
      // People see times and names, never the room's sequence numbers.
      expect(await ada.page.textContent('[data-test=messages]')).not.toMatch(/#\d/);

      await bob.page.type('[data-test=composer]', 'typing');
      await expect.poll(() => ada.page.textContent('[data-test=typing]')).toContain('Bob is typing');
      await keepScreenshot(ada.page, 'chat-1440');
      // Bob stops without sending: the line goes when his mark expires, with nothing else happening.
      await expect
        .poll(() => ada.page.textContent('[data-test=typing]'), { timeout: TYPING_EXPIRES_MS + 5000 })
        .toBe('');
      expect(await horizontalOverflow(ada.page)).toBe(0);
      expect(await controlsOutOfView(ada.page, KEY_CONTROLS)).toEqual([]);

      await ada.page.fill('[data-test=new-room]', 'quiet');
      await ada.page.press('[data-test=new-room]', 'Enter');
      await expect.poll(() => heading(ada.page)).toContain('quiet');
      await expect.poll(() => ada.page.isVisible('[data-test=empty-room]')).toBe(true);
      await keepScreenshot(ada.page, 'chat-empty-room-1440');
      expect([...ada.errors, ...bob.errors]).toEqual([]);
    } finally {
      await ada.context.close();
      await bob.context.close();
    }
  }, 60_000);
});
