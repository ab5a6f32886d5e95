import { SeededRandom } from '@twohop/testkit';
import {
  controlsOutOfView,
  horizontalOverflow,
  keepScreenshot,
  launchChromium,
  VIEWPORTS,
} from '@twohop/testkit/node';
import { startApp, type StartedApp } from '@twohop/app-kit';
import { buildUi } from '@twohop/vue/vite';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderbookServer, type OrderbookServer } from '../src/server/createOrderbookServer.js';

let app: StartedApp<OrderbookServer>;
let browser: Browser;
let url: string;

/** Every control a reader needs, on any screen. */
const KEY_CONTROLS = [
  '[data-test=symbol]',
  '[data-test=tier]',
  '[data-test=transport]',
  '[data-test=connection]',
  '[data-test=depth-chart]',
  '[data-test=trades]',
  '[data-test=inspector]',
  '[data-test=drop]',
  '[data-test=stall]',
  '[data-test=disconnect]',
];

/** The order book at a moderate rate with seeded order flow, on a free port (or `port`, for a restart). */
const startOrderbook = (seed: number, port = 0) => {
  const random = new SeededRandom(seed);
  return startApp(createOrderbookServer({ rate: 300, random: () => random.float() }), { port });
};

beforeAll(async () => {
  // The UI the server serves is built here, so the test never runs a stale (or missing) build.
  await buildUi(new URL('..', import.meta.url));
  app = await startOrderbook(5);
  url = app.url;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** A page at `viewport` that records uncaught errors. */
async function open(path: string, viewport: { width: number; height: number }, base = url) {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${base}${path}`);
  await expect.poll(() => badge(page), { timeout: 15_000 }).toBe('live');
  return { page, errors };
}

const badge = (page: Page) => page.textContent('[data-test=connection]');
const text = (page: Page, test: string) => page.textContent(`[data-test=${test}]`);
const count = async (page: Page, test: string) => Number((await text(page, test))?.replace(/[^\d]/g, ''));

describe('order book UI in Chromium', () => {
  it('survives a server restart: the badge shows reconnecting, then the book is live again in a new epoch', async () => {
    // A server of its own, so restarting it does not disturb the other tests.
    let own = await startOrderbook(8);
    const port = own.port;
    const { page, errors } = await open(
      '/?symbol=SOL-USD&tier=retail',
      VIEWPORTS.desktop,
      `http://127.0.0.1:${port}`,
    );

    await own.close();
    await expect.poll(() => badge(page), { timeout: 10_000 }).toBe('reconnecting');
    own = await startOrderbook(9, port);
    try {
      await expect.poll(() => badge(page), { timeout: 30_000 }).toBe('live');
      // The restarted engine is a new history: the client took a snapshot of it, and the ladder moves again.
      await expect.poll(() => text(page, 'last-subscribe'), { timeout: 10_000 }).toBe('snapshot');
      await expect
        .poll(() => page.locator('[data-test=bid-row]').count(), { timeout: 10_000 })
        .toBeGreaterThan(5);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await own.close();
    }
  }, 90_000);

  it('at 1440 px: a live, moving ladder; "drop next delta" makes a gap and a resync', async () => {
    const { page, errors } = await open('/?symbol=BTC-USD&tier=retail', VIEWPORTS.desktop);
    await expect
      .poll(() => page.locator('[data-test=bid-row]').count(), { timeout: 15_000 })
      .toBeGreaterThan(5);
    const seq = () => count(page, 'seq');
    const first = await seq();
    await expect.poll(seq, { timeout: 15_000 }).toBeGreaterThan(first); // the ladder moves

    await page.click('[data-test=drop]');
    await expect.poll(() => count(page, 'gaps'), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => text(page, 'last-resync'), { timeout: 15_000 }).toContain('gap');
    // After the resync the book is live again, keeps moving, and its checksums match.
    const afterResync = await seq();
    await expect.poll(seq, { timeout: 15_000 }).toBeGreaterThan(afterResync);
    expect(await badge(page)).toBe('live');
    await expect.poll(() => text(page, 'checksum'), { timeout: 5000 }).toContain('ok');

    // The trade tape has its headers and whole rows; the chart has a price axis.
    expect(await page.locator('[data-test=trades] th').allTextContents()).toEqual(['Price', 'Size', 'Time']);
    await expect
      .poll(() => page.locator('[data-test=trade-row]').count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await page.locator('[data-test=depth-chart] .u-axis').count()).toBe(2);
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await controlsOutOfView(page, KEY_CONTROLS)).toEqual([]);
    await expect.poll(() => count(page, 'messages'), { timeout: 5000 }).toBeGreaterThan(0);
    await keepScreenshot(page, 'orderbook-retail-1440');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('on the pro tier: "Stall 5 s" shows the stall, then the catch-up in one conflated frame; a disconnect resumes by replay', async () => {
    const { page, errors } = await open('/?symbol=ETH-USD&tier=pro', VIEWPORTS.desktop);
    await expect.poll(() => text(page, 'checksum'), { timeout: 10_000 }).toContain('ok');
    expect(await text(page, 'catch-up')).toBe('—');

    await page.click('[data-test=stall]');
    // While the server holds this connection's frames the badge says so and the button waits.
    await expect.poll(() => badge(page), { timeout: 5000 }).toBe('stalled');
    expect(await page.isDisabled('[data-test=stall]')).toBe(true);
    const applied = await count(page, 'applied');
    // When the stall ends the book catches up in one conflated delta, the button comes back, nothing resyncs.
    await expect
      .poll(() => text(page, 'catch-up'), { timeout: 20_000 })
      .toMatch(/^[\d,]+ deltas in one frame after/);
    const caughtUp = Number((await text(page, 'catch-up'))!.replace(/ deltas.*/, '').replace(/,/g, ''));
    expect(caughtUp).toBeGreaterThan(1);
    expect(await badge(page)).toBe('live');
    expect(await page.isDisabled('[data-test=stall]')).toBe(false);
    expect(await count(page, 'applied')).toBeGreaterThan(applied);
    expect(await text(page, 'checksum')).toContain('ok');
    expect(await text(page, 'resyncs')).toBe('0');
    await expect.poll(() => count(page, 'messages'), { timeout: 5000 }).toBeGreaterThan(0);
    await keepScreenshot(page, 'orderbook-pro-after-stall-1440');

    await page.click('[data-test=disconnect]');
    await expect.poll(() => text(page, 'reconnects'), { timeout: 10_000 }).toBe('1');
    await expect.poll(() => badge(page), { timeout: 15_000 }).toBe('live');
    await expect.poll(() => text(page, 'last-subscribe'), { timeout: 10_000 }).toBe('replay');
    expect(await text(page, 'resyncs')).toBe('0');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('over plain WebSocket, chosen with the transport picker: live with checksums ok; a disconnect resumes by replay', async () => {
    const { page, errors } = await open('/?symbol=BTC-USD&tier=retail', VIEWPORTS.desktop);
    const before = app.server.webSocketStreams?.connections ?? 0;
    await page.selectOption('[data-test=transport]', 'ws');
    await expect.poll(() => app.server.webSocketStreams?.connections, { timeout: 10_000 }).toBe(before + 1);
    expect(page.url()).toContain('transport=ws');
    await expect.poll(() => badge(page), { timeout: 15_000 }).toBe('live');
    await expect.poll(() => count(page, 'applied'), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await text(page, 'checksum')).toContain('ok');

    await page.click('[data-test=disconnect]');
    await expect.poll(() => text(page, 'reconnects'), { timeout: 10_000 }).toBe('1');
    await expect.poll(() => badge(page), { timeout: 15_000 }).toBe('live');
    await expect.poll(() => text(page, 'last-subscribe'), { timeout: 10_000 }).toBe('replay');

    // The pro tier's binary frames over plain WebSocket: the same book, checksums intact.
    await page.selectOption('[data-test=tier]', 'pro');
    await expect.poll(() => count(page, 'applied'), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => text(page, 'checksum'), { timeout: 10_000 }).toContain('ok');
    expect(await text(page, 'resyncs')).toBe('0');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('at 390 px on the mobile tier: ten buckets per side, nothing off screen', async () => {
    const { page, errors } = await open('/?symbol=BTC-USD&tier=mobile', VIEWPORTS.phone);
    await expect.poll(() => page.locator('[data-test=bid-row]').count(), { timeout: 15_000 }).toBe(10);
    expect(await page.locator('[data-test=ask-row]').count()).toBe(10);
    await expect
      .poll(() => page.locator('[data-test=trade-row]').count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await controlsOutOfView(page, KEY_CONTROLS)).toEqual([]);
    await expect.poll(() => count(page, 'messages'), { timeout: 5000 }).toBeGreaterThan(0);
    await keepScreenshot(page, 'orderbook-mobile-390');

    // The retail tier at the same width fits too (wider prices, twenty levels a side).
    await page.selectOption('[data-test=tier]', 'retail');
    await expect.poll(() => badge(page), { timeout: 15_000 }).toBe('live');
    await expect
      .poll(() => page.locator('[data-test=bid-row]').count(), { timeout: 15_000 })
      .toBeGreaterThan(10);
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await controlsOutOfView(page, KEY_CONTROLS)).toEqual([]);
    await expect.poll(() => count(page, 'messages'), { timeout: 5000 }).toBeGreaterThan(0);
    await keepScreenshot(page, 'orderbook-retail-390');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});
