import { startApp, type StartedApp } from '@twohop/app-kit';
import {
  controlsOutOfView,
  horizontalOverflow,
  keepScreenshot,
  launchChromium,
  VIEWPORTS,
} from '@twohop/testkit/node';
import { buildUi } from '@twohop/vue/vite';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIotServer, type IotServer } from '../src/server/createIotServer.js';

let server: IotServer;
let app: StartedApp<IotServer>;
let browser: Browser;

beforeAll(async () => {
  await buildUi(new URL('..', import.meta.url));
  // The whole app: the embedded broker, the Sparkplug host and a forked simulator of 120 devices.
  server = await createIotServer({
    aggregateMs: 1000,
    simulator: { size: { buildings: 2, floors: 2, devicesPerFloor: 30 }, seed: 14, ratePerDevice: 2 },
  });
  app = await startApp(server);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** A browser profile (its tabs share one SharedWorker) at a desktop's size. */
const profile = () => browser.newContext({ viewport: VIEWPORTS.desktop });

/** Injects a fault into the simulated fleet, as the fault buttons do. */
const fault = (body: Record<string, unknown>) =>
  fetch(`${app.url}/api/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A tab of the dashboard, live, on floor b1/f1. */
async function tab(context: BrowserContext, query = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${app.url}/?floor=b1/f1${query}`);
  await expect.poll(() => page.textContent('.th-header'), { timeout: 15_000 }).toContain('live');
  await expect.poll(() => page.locator('[data-test=floor-grid] .tile').count()).toBeGreaterThan(0);
  return page;
}

const tileValue = (page: Page, device = 'b1-f1-d01') =>
  page.textContent(`[data-test=device-${device}] [data-test=tile-value]`);

describe('the IoT dashboard in Chromium', () => {
  it('shows live values: the tiles of the devices on screen change as readings arrive', async () => {
    const context = await profile();
    try {
      const page = await tab(context);
      await expect.poll(() => tileValue(page)).toMatch(/\d/);
      const seen = new Set<string>();
      await expect
        .poll(
          async () => {
            seen.add((await tileValue(page)) ?? '');
            return seen.size;
          },
          { timeout: 15_000 },
        )
        .toBeGreaterThan(2);
      await expect.poll(() => page.textContent('[data-test=floor-agg]')).toMatch(/°C/);
      expect(Number(await page.textContent('[data-test=applied]'))).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });

  it('an alarm raised and acknowledged in one tab is seen acknowledged in another', async () => {
    const context = await profile();
    try {
      const [first, second] = [await tab(context, '&device=site/b1-f1/d04'), await tab(context)];
      await first.click('[data-test=fault-hot]');
      const alarm = (page: Page) => page.locator('[data-test^=alarm-a]', { hasText: 'site/b1-f1/d04' });
      await expect
        .poll(() => alarm(second).getAttribute('data-status'), { timeout: 15_000 })
        .toBe('ACTIVE_UNACK');
      // The sensor keeps heating: once it is critical, the panel flashes.
      await expect
        .poll(() => first.getAttribute('[data-test=alarm-panel]', 'data-flash'), { timeout: 20_000 })
        .toBe('true');
      await alarm(first).locator('[data-test=ack]').click();
      await expect.poll(() => alarm(second).getAttribute('data-status')).toBe('ACTIVE_ACK');
      expect(await alarm(second).textContent()).toContain('by operator');
      await first.click('[data-test=fault-cool]');
      await expect
        .poll(() => alarm(second).getAttribute('data-status'), { timeout: 15_000 })
        .toBe('CLEARED_ACK');
    } finally {
      await context.close();
    }
  });

  it('shows a device gap → rebirth in the inspector, and greys out a dead node', async () => {
    const context = await profile();
    try {
      const page = await tab(context);
      await page.click('[data-test=fault-lose]');
      const kinds = () =>
        page
          .locator('[data-test=edge-events] li', { hasText: 'site/b1-f1' })
          .evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')));
      // Newest first: the birth that answered the rebirth command, the command, the gap (after the reorder window).
      await expect
        .poll(async () => (await kinds()).slice(0, 3), { timeout: 15_000 })
        .toEqual(['birth', 'rebirth', 'gap']);
      expect(await page.textContent('[data-test=edge-events]')).toContain('seq gap: expected');

      await page.click('[data-test=fault-die]');
      await expect
        .poll(() => page.getAttribute('[data-test=device-b1-f1-d01]', 'data-online'), { timeout: 15_000 })
        .toBe('false');
      await page.click('[data-test=fault-reconnect]');
      await expect
        .poll(() => page.getAttribute('[data-test=device-b1-f1-d01]', 'data-online'), { timeout: 15_000 })
        .toBe('true');
    } finally {
      await context.close();
    }
  });

  it('keeps ten tabs of one browser live on one connection per stream (HTTP/1.1 allows six per origin)', async () => {
    const context = await profile();
    try {
      const before = server.sse.connections;
      const tabs: Page[] = [];
      for (let i = 0; i < 10; i++) tabs.push(await tab(context));
      expect(server.sse.connections - before).toBe(3);
      // Every tab sees fresh readings: a heating sensor's tile moves on in all ten.
      await fault({ kind: 'hot', node: 'b1-f1', device: 'd07', metric: 'temperature', by: 5 });
      const first = await Promise.all(tabs.map((page) => tileValue(page, 'b1-f1-d07')));
      await expect
        .poll(
          async () =>
            (await Promise.all(tabs.map((page) => tileValue(page, 'b1-f1-d07')))).filter(
              (value, i) => value !== first[i],
            ).length,
          {
            timeout: 15_000,
          },
        )
        .toBe(10);
      await fault({ kind: 'cool', node: 'b1-f1', device: 'd07' });
    } finally {
      await context.close();
    }
  });

  it('lays out at 1440 and 390 px with every control in reach and nothing off screen sideways', async () => {
    const controls = [
      '[data-test=metric]',
      '[data-test=floor-grid]',
      '[data-test=ack]',
      '[data-test=fault-lose]',
      '[data-test=fault-hot]',
      '[data-test=device-chart]',
    ];
    await fault({ kind: 'hot', node: 'b1-f1', device: 'd02', metric: 'co2', by: 400 });
    for (const screen of ['desktop', 'phone'] as const) {
      const context = await browser.newContext(
        screen === 'phone'
          ? { viewport: VIEWPORTS.phone, hasTouch: true, isMobile: true }
          : { viewport: VIEWPORTS.desktop },
      );
      try {
        const page = await tab(context, '&device=site/b1-f1/d02&metric=co2');
        await expect
          .poll(() => page.locator('[data-test=ack]').count(), { timeout: 15_000 })
          .toBeGreaterThan(0);
        await expect.poll(() => page.textContent('[data-test=floor-agg]')).toMatch(/ppm/);
        await expect.poll(() => tileValue(page, 'b1-f1-d02')).toMatch(/^\d+$/);
        await expect.poll(() => page.textContent('[data-test=messages]')).not.toBe('0/s');
        expect(await horizontalOverflow(page)).toBe(0);
        expect(await controlsOutOfView(page, controls)).toEqual([]);
        await page.evaluate(() => window.scrollTo(0, 0));
        await keepScreenshot(page, `iot-dashboard-${VIEWPORTS[screen].width}`);
      } finally {
        await context.close();
      }
    }
    await fault({ kind: 'cool', node: 'b1-f1', device: 'd02' });
  });
});
