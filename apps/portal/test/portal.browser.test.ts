import { createWebApp, startApp, type StartedApp, type WebApp } from '@twohop/app-kit';
import { launchChromium } from '@twohop/testkit';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createPortal } from '../src/server/createPortal.js';

const screenshots = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const healthyApp = (port = 0) => startApp(createWebApp({ name: 'demo' }), { port });

const portalOn = (port: number, appPort: number) =>
  startApp(
    createPortal({
      apps: [{ name: 'demo', title: 'Demo app', port: appPort, summary: 'A stand-in app.', listed: true }],
      timeoutMs: 300,
    }),
    { port },
  );

describe('portal UI in Chromium', () => {
  it('shows each app live, then down when it stops, then live again; survives a restart of the portal', async () => {
    let app: StartedApp<WebApp> = await healthyApp();
    const appPort = app.port;
    let portal = await portalOn(0, appPort);
    const portalPort = portal.port;
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1100, height: 500 } });
    await page.goto(`http://127.0.0.1:${portalPort}/`);
    const health = () => page.textContent('[data-app=demo] .health');
    await expect.poll(health, { timeout: 10_000 }).toBe('live');

    await app.close();
    await expect.poll(health, { timeout: 10_000 }).toBe('down');
    app = await healthyApp(appPort);
    await expect.poll(health, { timeout: 10_000 }).toBe('live');

    // The portal itself restarts: the page keeps polling and shows live health again.
    await portal.close();
    portal = await portalOn(portalPort, appPort);
    cleanups.push(() => portal.close());
    await page.waitForTimeout(2500);
    await expect.poll(health, { timeout: 10_000 }).toBe('live');
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: `${screenshots}portal.png` });
    // Polling resumed after the restart: a change now still reaches the page.
    await app.close();
    await expect.poll(health, { timeout: 10_000 }).toBe('down');
  }, 60_000);
});
