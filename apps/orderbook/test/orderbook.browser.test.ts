import { readHistogramSum } from '@twohop/metrics';
import { startApp, type StartedApp } from '@twohop/app-kit';
import { launchChromium, SeededRandom } from '@twohop/testkit';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderbookServer, type OrderbookServer } from '../src/server/createOrderbookServer.js';

const appRoot = fileURLToPath(new URL('..', import.meta.url));
const screenshots = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));

let app: StartedApp<OrderbookServer>;
let browser: Browser;
let url: string;

/** The order book at a moderate rate with seeded order flow, on a free port (or `port`, for a restart). */
const startOrderbook = (seed: number, port = 0) => {
  const random = new SeededRandom(seed);
  return startApp(createOrderbookServer({ rate: 300, random: () => random.float() }), { port });
};

beforeAll(async () => {
  // The UI the server serves is built here, so the test never runs a stale (or missing) build.
  await build({ configFile: `${appRoot}vite.config.ts`, logLevel: 'warn' });
  app = await startOrderbook(5);
  url = app.url;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('order book UI in Chromium', () => {
  it('survives a server restart: the badge shows reconnecting, then the book is live again in a new epoch', async () => {
    // A server of its own, so restarting it does not disturb the other tests.
    let own = await startOrderbook(8);
    const port = own.port;
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`http://127.0.0.1:${port}/?symbol=SOL-USD&tier=retail`);
    await expect.poll(() => page.textContent('[data-test=connection]'), { timeout: 15_000 }).toBe('live');

    await own.close();
    await expect
      .poll(() => page.textContent('[data-test=connection]'), { timeout: 10_000 })
      .toBe('reconnecting');
    own = await startOrderbook(9, port);
    try {
      await expect.poll(() => page.textContent('[data-test=connection]'), { timeout: 30_000 }).toBe('live');
      // The restarted engine is a new history: the client took a snapshot of it, and the ladder moves again.
      await expect
        .poll(() => page.textContent('[data-test=last-subscribe]'), { timeout: 10_000 })
        .toBe('snapshot');
      await expect
        .poll(() => page.locator('[data-test=bid-row]').count(), { timeout: 10_000 })
        .toBeGreaterThan(5);
      mkdirSync(screenshots, { recursive: true });
      await page.screenshot({ path: `${screenshots}orderbook-after-restart.png` });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await own.close();
    }
  }, 90_000);

  it('shows a live, moving ladder; "drop next delta" makes a gap and a resync; takes a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${url}/?symbol=BTC-USD&tier=retail`);

    await expect.poll(() => page.textContent('[data-test=connection]'), { timeout: 15_000 }).toBe('live');
    await expect
      .poll(() => page.locator('[data-test=bid-row]').count(), { timeout: 15_000 })
      .toBeGreaterThan(5);
    const seqOf = async () => Number((await page.textContent('[data-test=seq]'))?.replace('seq ', ''));
    const first = await seqOf();
    await expect.poll(seqOf, { timeout: 15_000 }).toBeGreaterThan(first); // the ladder moves

    await page.click('[data-test=drop]');
    await expect
      .poll(async () => Number(await page.textContent('[data-test=gaps]')), { timeout: 15_000 })
      .toBeGreaterThan(0);
    await expect
      .poll(() => page.textContent('[data-test=last-resync]'), { timeout: 15_000 })
      .toContain('gap');
    // After the resync the book is live again and keeps moving.
    const afterResync = await seqOf();
    await expect.poll(seqOf, { timeout: 15_000 }).toBeGreaterThan(afterResync);
    expect(await page.textContent('[data-test=connection]')).toBe('live');

    // Checksums are verified on every book message; after the resync they match again.
    await expect
      .poll(() => page.locator('[data-test=inspector]').textContent(), { timeout: 5000 })
      .toContain('Checksumok');
    await page.waitForTimeout(1200); // one rate tick, so the screenshot shows messages/s and bytes/s
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: `${screenshots}orderbook.png` });
    expect(errors).toEqual([]);
  }, 90_000);

  it('on the pro tier (protobuf frames): a stall conflates and catches up, a disconnect resumes by replay', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${url}/?symbol=ETH-USD&tier=pro`);
    await expect.poll(() => page.textContent('[data-test=connection]'), { timeout: 15_000 }).toBe('live');
    const inspector = () => page.locator('[data-test=inspector]').textContent();
    await expect.poll(inspector, { timeout: 10_000 }).toContain('Checksumok');
    const conflated = async () => Number((await inspector())?.match(/Conflated deltas(\d+)/)?.[1]);
    const before = await conflated();

    const queueDelay = () => readHistogramSum(app.server.metrics.registry, 'twohop_queue_delay_seconds');
    const delayBefore = await queueDelay();

    await page.click('[data-test=stall]');
    // While stalled the server merges changes for this client (seconds of queue delay); when the stall ends they
    // arrive as conflated deltas and the book catches up with its checksum intact.
    await expect.poll(queueDelay, { timeout: 20_000 }).toBeGreaterThan(delayBefore + 3);
    await expect.poll(conflated, { timeout: 10_000 }).toBeGreaterThan(before);
    expect(await inspector()).toContain('Checksumok');
    expect(await inspector()).toContain('Resyncs0');

    await page.click('[data-test=disconnect]');
    await expect.poll(() => page.textContent('[data-test=reconnects]'), { timeout: 10_000 }).toBe('1');
    await expect.poll(() => page.textContent('[data-test=connection]'), { timeout: 15_000 }).toBe('live');
    await expect
      .poll(() => page.textContent('[data-test=last-subscribe]'), { timeout: 10_000 })
      .toBe('replay');
    expect(await inspector()).toContain('Resyncs0');

    await page.waitForTimeout(1200);
    await page.screenshot({ path: `${screenshots}orderbook-pro.png` });
    expect(errors).toEqual([]);
  }, 90_000);
});
