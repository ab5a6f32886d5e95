import { startApp, type StartedApp } from '@twohop/app-kit';
import {
  controlsOutOfView,
  horizontalOverflow,
  keepScreenshot,
  launchChromium,
  newPerson,
  type Person,
  type VIEWPORTS,
} from '@twohop/testkit/node';
import { buildUi } from '@twohop/vue/vite';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuctionServer } from '../src/server/createAuctionServer.js';
import { lot } from './startAuction.js';

const appRoot = fileURLToPath(new URL('..', import.meta.url));
let server: ReturnType<typeof createAuctionServer>;
let app: StartedApp<typeof server>;
let browser: Browser;

beforeAll(async () => {
  // The UI the server serves is built here, so the test never runs a stale (or missing) build.
  await buildUi(new URL('..', import.meta.url));
  server = createAuctionServer({ secret: 'test-secret', webRoot: `${appRoot}dist/web/` });
  await server.ready;
  app = await startApp(server);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** Opens the auction on `screen`, signs in as `name`, and waits for the live lot list. */
async function bidder(name: string, screen: keyof typeof VIEWPORTS = 'desktop'): Promise<Person> {
  const person = await newPerson(browser, screen);
  await person.page.goto(app.url);
  await person.page.fill('[data-test=name]', name);
  await person.page.click('[data-test=enter]');
  await expect.poll(() => person.page.getAttribute('[data-test=connection]', 'data-state')).toBe('live');
  return person;
}

const openLot = async (page: Page, id: string) => {
  await page.click(`[data-test=lot][data-lot=${id}]`);
  await page.waitForSelector('[data-test=lot-page]');
};
const toasts = (page: Page) => page.locator('[data-test=toast]').allTextContents();

const KEY_CONTROLS = [
  '[data-test=connection]',
  '[data-test=sign-out]',
  '[data-test=price]',
  '[data-test=remaining]',
  '[data-test=quick-bid]',
  '[data-test=maximum]',
  '[data-test=place-maximum]',
];

describe('auction UI in Chromium', () => {
  it('two bidders: one outbids the other, who sees the toast; a late bid extends the close; both see the winner', async () => {
    const ada = await bidder('Ada');
    const bob = await bidder('Bob');
    try {
      // The lot opens once both are there: 12 s to go, every bid in the closing window, a bid moves the close to
      // its receipt plus 8 s.
      const opened = Date.now();
      await server.house.open(
        lot('clock', 12_000, {
          title: 'Brass ship chronometer',
          softClose: { windowMs: 12_000, extensionMs: 8_000 },
        }),
      );
      await openLot(ada.page, 'clock');
      await openLot(bob.page, 'clock');
      await expect.poll(() => ada.page.textContent('[data-test=price]')).toBe('$10.00');

      await ada.page.locator('[data-test=quick-bid]').first().click();
      await expect.poll(() => toasts(ada.page)).toContainEqual(expect.stringContaining('You are winning'));
      await expect.poll(() => ada.page.textContent('[data-test=leader]')).toContain('you');
      // Bob's page shows Ada as an alias, never her name.
      await expect.poll(() => bob.page.textContent('[data-test=leader]')).toMatch(/Bidder [A-Z2-9]{4}/);
      expect(await bob.page.textContent('[data-test=lot-page]')).not.toContain('Ada');

      await expect.poll(() => bob.page.textContent('[data-test=quick-bid]')).toContain('$10.50');
      await bob.page.locator('[data-test=quick-bid]').first().click();
      await expect.poll(() => toasts(ada.page)).toContainEqual(expect.stringContaining('You were outbid'));
      await expect.poll(() => ada.page.textContent('[data-test=price]')).toBe('$10.50');
      await keepScreenshot(ada.page, 'auction-outbid-1440');

      // Past 4 s a bid's receipt + 8 s is after the close: Ada's maximum (answered by her proxy) extends it.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, opened + 4500 - Date.now())));
      await ada.page.fill('[data-test=maximum]', '50');
      await ada.page.click('[data-test=place-maximum]');
      await expect
        .poll(() => bob.page.isVisible('[data-test=extended]'), { timeout: 5000, interval: 50 })
        .toBe(true);
      await keepScreenshot(bob.page, 'auction-extended-1440');
      await expect.poll(() => ada.page.textContent('[data-test=price]')).toBe('$11.00');
      await expect.poll(() => bob.page.locator('[data-test=history-row]').count()).toBe(3);

      // The store closes the lot at its (extended) end: both see the winner; Ada sees herself.
      await expect.poll(() => bob.page.isVisible('[data-test=closed]'), { timeout: 20_000 }).toBe(true);
      const adaAlias = server.alias('clock', await userIdOf(ada.page));
      await expect.poll(() => bob.page.textContent('[data-test=winner]')).toBe(adaAlias);
      await expect.poll(() => ada.page.textContent('[data-test=winner]')).toBe('you');
      expect(await ada.page.locator('[data-test=quick-bid]').count()).toBe(0);
      await expect
        .poll(() => toasts(ada.page), { timeout: 5000 })
        .toContainEqual(expect.stringContaining('You won'));
      await keepScreenshot(bob.page, 'auction-closed-1440');
      expect(await horizontalOverflow(ada.page)).toBe(0);
      expect([...ada.errors, ...bob.errors]).toEqual([]);
    } finally {
      await ada.context.close();
      await bob.context.close();
    }
  }, 90_000);

  it('on a phone (390 px): the lot list and a lot page fit, every control reachable, a bid placed by touch', async () => {
    await server.house.open(lot('lamp', 120_000, { title: 'Art deco table lamp', reserveCents: 5000 }));
    const eve = await bidder('Eve', 'phone');
    try {
      await eve.page.waitForSelector('[data-test=lot][data-lot=lamp]');
      expect(await horizontalOverflow(eve.page)).toBe(0);
      await keepScreenshot(eve.page, 'auction-lots-390');
      await eve.page.tap('[data-test=lot][data-lot=lamp]');
      await eve.page.waitForSelector('[data-test=lot-page]');
      await eve.page.locator('[data-test=quick-bid]').first().tap();
      await expect.poll(() => eve.page.textContent('[data-test=leader]')).toContain('you');
      expect(await eve.page.textContent('[data-test=reserve]')).toContain('reserve not met');
      expect(await horizontalOverflow(eve.page)).toBe(0);
      expect(await controlsOutOfView(eve.page, KEY_CONTROLS)).toEqual([]);
      await keepScreenshot(eve.page, 'auction-lot-390');
      await eve.page.setViewportSize({ width: 1440, height: 900 });
      expect(await controlsOutOfView(eve.page, KEY_CONTROLS)).toEqual([]);
      await keepScreenshot(eve.page, 'auction-lot-1440');
      expect(eve.errors).toEqual([]);
    } finally {
      await eve.context.close();
    }
  }, 60_000);
});

/** The signed-in user's id, as the page keeps it. */
const userIdOf = (page: Page) =>
  page.evaluate(
    () => (JSON.parse(localStorage.getItem('twohop.auction.identity') ?? '{}') as { userId: string }).userId,
  );
