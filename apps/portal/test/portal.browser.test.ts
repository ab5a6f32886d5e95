import {
  controlsOutOfView,
  horizontalOverflow,
  keepScreenshot,
  launchChromium,
  VIEWPORTS,
} from '@twohop/testkit/node';
import { buildUi } from '@twohop/vue/vite';
import {
  createWebApp,
  listNodes,
  registerNode,
  startApp,
  type AppManifest,
  type StartedApp,
  type WebApp,
} from '@twohop/app-kit';
import { waitFor } from '@twohop/testkit';
import { startRedisServer } from '@twohop/testkit/node';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortal } from '../src/server/createPortal.js';

const cleanups: (() => unknown)[] = [];
let browser: Browser;
beforeAll(async () => {
  await buildUi(new URL('..', import.meta.url));
  browser = await launchChromium();
  cleanups.push(() => browser.close());
}, 120_000);
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A stand-in app: app-kit's `/healthz` and nothing else. */
const healthyApp = (port = 0) => startApp(createWebApp({ name: 'demo' }), { port });

const portalOn = (port: number, apps: AppManifest[]) =>
  startApp(createPortal({ apps, timeoutMs: 300 }), { port });

describe('portal UI in Chromium', () => {
  it('shows each app live, then down when it stops, then live again; survives a restart of the portal', async () => {
    let app: StartedApp<WebApp> = await healthyApp();
    const appPort = app.port;
    const apps = [
      { name: 'demo', title: 'Demo app', port: appPort, summary: 'A stand-in app.', listed: true },
    ];
    let portal = await portalOn(0, apps);
    const portalPort = portal.port;
    const page = await browser.newPage({ viewport: VIEWPORTS.desktop });
    await page.goto(`http://127.0.0.1:${portalPort}/`);
    const health = () => page.textContent('[data-app=demo] .health');
    await expect.poll(health, { timeout: 10_000 }).toBe('live');

    await app.close();
    await expect.poll(health, { timeout: 10_000 }).toBe('down');
    app = await healthyApp(appPort);
    await expect.poll(health, { timeout: 10_000 }).toBe('live');

    // The portal itself restarts: the page keeps polling and shows live health again.
    await portal.close();
    portal = await portalOn(portalPort, apps);
    cleanups.push(() => portal.close());
    await page.waitForTimeout(2500);
    await expect.poll(health, { timeout: 10_000 }).toBe('live');
    // Polling resumed after the restart: a change now still reaches the page.
    await app.close();
    await expect.poll(health, { timeout: 10_000 }).toBe('down');
    await page.close();
  }, 60_000);

  it('lists every app readably at 1440 and 390 px, with nothing off screen', async () => {
    const live = await healthyApp();
    cleanups.push(() => live.close());
    const gone = await healthyApp();
    const gonePort = gone.port;
    await gone.close();
    const portal = await portalOn(0, [
      {
        name: 'orderbook',
        title: 'Order book',
        port: live.port,
        summary: 'Snapshot + delta with checksums.',
        listed: true,
      },
      {
        name: 'chat',
        title: 'Chat',
        port: gonePort,
        summary: 'Rooms with catch-up after a disconnect.',
        listed: true,
      },
    ]);
    cleanups.push(() => portal.close());
    const url = `${portal.url}/`;
    for (const viewport of Object.values(VIEWPORTS)) {
      const page = await browser.newPage({ viewport });
      await page.goto(url);
      await expect
        .poll(() => page.textContent('[data-app=orderbook] .health'), { timeout: 10_000 })
        .toBe('live');
      await expect.poll(() => page.textContent('[data-app=chat] .health'), { timeout: 10_000 }).toBe('down');
      expect(await page.title()).toBe('twohop · portal');
      expect(await horizontalOverflow(page)).toBe(0);
      expect(await controlsOutOfView(page, ['[data-app=orderbook]', '[data-app=chat]'])).toEqual([]);
      await keepScreenshot(page, `portal-${viewport.width}`);
      await page.close();
    }
  }, 60_000);

  it('on a cluster, shows each app’s nodes with their health, a crashed one marked down, at 1440 and 390 px', async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const connect = () => {
      const client = new Redis(redis.url, { maxRetriesPerRequest: 0 }).on('error', () => {});
      cleanups.push(() => client.disconnect());
      return client;
    };
    const names = ['orderbook-1', 'orderbook-2', 'orderbook-3', 'orderbook-engine'];
    const nodes = await Promise.all(
      names.map((node) => startApp(createWebApp({ name: 'orderbook', runtime: { mode: 'redis', node } }))),
    );
    for (const node of nodes) cleanups.push(() => node.close());
    const crashing = connect();
    for (const [i, node] of nodes.entries()) {
      const registration = await registerNode({
        redis: i === 1 ? crashing : connect(),
        app: 'orderbook',
        node: names[i]!,
        url: node.url,
        ttlMs: 400,
      });
      cleanups.push(() => registration.close().catch(() => {}));
    }
    const reader = connect();
    const single = await healthyApp();
    cleanups.push(() => single.close());
    const portal = await startApp(
      createPortal({
        apps: [
          {
            name: 'orderbook',
            title: 'Order book',
            port: nodes[0]!.port,
            summary: 'Snapshot + delta.',
            listed: true,
          },
          { name: 'chat', title: 'Chat', port: single.port, summary: 'Rooms.', listed: true },
        ],
        timeoutMs: 300,
        nodes: () => listNodes(reader),
      }),
    );
    cleanups.push(() => portal.close());
    // orderbook-2 is SIGKILLed: no more beats, no answer.
    crashing.disconnect();
    await nodes[1]!.close();
    await waitFor('orderbook-2 silent', async () =>
      (await listNodes(reader)).some((node) => node.node === 'orderbook-2' && !node.beating),
    );
    for (const viewport of Object.values(VIEWPORTS)) {
      const page = await browser.newPage({ viewport });
      await page.goto(`${portal.url}/`);
      const state = (node: string) =>
        page.getAttribute(`[data-app=orderbook] [data-node=${node}]`, 'data-live');
      await expect.poll(() => state('orderbook-1'), { timeout: 10_000 }).toBe('true');
      expect(await state('orderbook-2')).toBe('false');
      expect(await page.textContent('[data-app=orderbook] [data-node=orderbook-2] .node-health')).toBe(
        'down',
      );
      expect(await page.textContent('[data-app=orderbook] [data-node=orderbook-2] .node-detail')).toMatch(
        /^silent for \d+ s$/,
      );
      expect(await page.textContent('[data-app=chat] [data-test=nodes]')).toContain('one process');
      expect(await horizontalOverflow(page)).toBe(0);
      expect(
        await controlsOutOfView(page, [
          '[data-app=orderbook] [data-node=orderbook-engine]',
          '[data-app=chat]',
        ]),
      ).toEqual([]);
      await keepScreenshot(page, `portal-cluster-${viewport.width}`);
      await page.close();
    }
  }, 60_000);
});
