import { createWebApp, discoverApps, startApp, type HttpErrorBody } from '@twohop/app-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createPortal, type AppStatus } from '../src/server/createPortal.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('portal', () => {
  it('lists every app that declares itself in its package.json, and not itself', () => {
    const apps = discoverApps(new URL('../../', import.meta.url));
    expect(apps.map((app) => [app.name, app.port, app.listed])).toContainEqual(['orderbook', 4101, true]);
    expect(apps.find((app) => app.name === 'portal')).toMatchObject({ port: 4100, listed: false });
  });

  it('reports each app’s live health, and "down" for one that does not answer', async () => {
    const live = await startApp(createWebApp({ name: 'live', runtime: { mode: 'embedded', node: 'n1' } }));
    cleanups.push(() => live.close());
    const gone = await startApp(createWebApp({ name: 'gone' }));
    const gonePort = gone.port;
    await gone.close();
    const portal = await startApp(
      createPortal({
        apps: [
          { name: 'live', title: 'Live', port: live.port, summary: '', listed: true },
          { name: 'gone', title: 'Gone', port: gonePort, summary: '', listed: true },
        ],
        timeoutMs: 500,
      }),
    );
    cleanups.push(() => portal.close());
    const statuses = (await (await fetch(`${portal.url}/api/apps`)).json()) as AppStatus[];
    expect(statuses.map((s) => [s.name, s.health])).toEqual([
      ['live', { status: 'ok', mode: 'embedded', node: 'n1' }],
      ['gone', expect.objectContaining({ status: 'down' })],
    ]);
    // The built page, or (before the first build) how to build it.
    const page = await fetch(portal.url);
    if (page.status === 200) expect(await page.text()).toMatch(/^<!doctype html>/i);
    else
      expect([page.status, ((await page.json()) as HttpErrorBody).error.code]).toEqual([503, 'ui_not_built']);
  });
});
