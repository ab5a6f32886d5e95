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
import { ScriptedFleet, scriptedEdge } from './scriptedFleet.js';

let server: IotServer;
let app: StartedApp<IotServer>;
let fleet: ScriptedFleet;
let browser: Browser;

beforeAll(async () => {
  await buildUi(new URL('..', import.meta.url));
  server = createIotServer({
    aggregateMs: 1000,
    edge: ({ events }) => {
      fleet = new ScriptedFleet(events, { size: { buildings: 2, floors: 2, devicesPerFloor: 30 }, seed: 14 });
      fleet.birth();
      return scriptedEdge(fleet, 300);
    },
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
      await expect.poll(() => alarm(second).getAttribute('data-status')).toBe('ACTIVE_UNACK');
      // A new critical alarm flashes the panel.
      await expect.poll(() => first.getAttribute('[data-test=alarm-panel]', 'data-flash')).toBe('true');
      await alarm(first).locator('[data-test=ack]').click();
      await expect.poll(() => alarm(second).getAttribute('data-status')).toBe('ACTIVE_ACK');
      expect(await alarm(second).textContent()).toContain('by operator');
      await first.click('[data-test=fault-cool]');
      await expect.poll(() => alarm(second).getAttribute('data-status')).toBe('CLEARED_ACK');
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
          .locator('[data-test=edge-events] li')
          .evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')));
      // Newest first: the births that answered the rebirth command, the command, the gap.
      await expect.poll(async () => (await kinds()).slice(0, 3)).toEqual(['birth', 'rebirth', 'gap']);
      expect(await page.textContent('[data-test=edge-events]')).toContain('seq gap: expected 7, received 9');

      await page.click('[data-test=fault-die]');
      await expect.poll(() => page.getAttribute('[data-test=device-b1-f1-d01]', 'data-online')).toBe('false');
      await page.click('[data-test=fault-reconnect]');
      await expect.poll(() => page.getAttribute('[data-test=device-b1-f1-d01]', 'data-online')).toBe('true');
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
      // Every tab sees a fresh reading: each tile's value moves on in all ten.
      const first = await Promise.all(tabs.map((page) => tileValue(page)));
      fleet.heat('site/b1-f1/d01', 'temperature', 35.5);
      await expect
        .poll(() => Promise.all(tabs.map((page) => tileValue(page))), { timeout: 15_000 })
        .toEqual(tabs.map(() => '35.5'));
      expect(first.every((value) => value !== '35.5')).toBe(true);
      fleet.cool('site/b1-f1/d01');
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
    fleet.heat('site/b1-f1/d02', 'co2', 2600);
    for (const screen of ['desktop', 'phone'] as const) {
      const context = await browser.newContext(
        screen === 'phone'
          ? { viewport: VIEWPORTS.phone, hasTouch: true, isMobile: true }
          : { viewport: VIEWPORTS.desktop },
      );
      try {
        const page = await tab(context, '&device=site/b1-f1/d02&metric=co2');
        await expect.poll(() => page.locator('[data-test=ack]').count()).toBeGreaterThan(0);
        await expect.poll(() => page.textContent('[data-test=floor-agg]')).toMatch(/ppm/);
        await expect.poll(() => tileValue(page, 'b1-f1-d02')).toBe('2600');
        await expect.poll(() => page.textContent('[data-test=messages]')).not.toBe('0/s');
        expect(await horizontalOverflow(page)).toBe(0);
        expect(await controlsOutOfView(page, controls)).toEqual([]);
        await page.evaluate(() => window.scrollTo(0, 0));
        await keepScreenshot(page, `iot-dashboard-${VIEWPORTS[screen].width}`);
      } finally {
        await context.close();
      }
    }
    fleet.cool('site/b1-f1/d02');
  });
});
