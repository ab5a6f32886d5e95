import { startTestServer } from '@twohop/testkit';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverApps } from '../src/apps.js';
import { createPortal, type AppStatus } from '../src/createPortal.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('portal', () => {
  it('finds every app that declares itself in its package.json', () => {
    expect(discoverApps().map((app) => [app.name, app.port])).toContainEqual(['orderbook', 4101]);
  });

  it('reports each app’s live health, and "down" for one that does not answer', async () => {
    const live = await startTestServer(
      ({ app }) =>
        void app.get('/healthz', (_q, r) => void r.json({ status: 'ok', mode: 'embedded', node: 'n1' })),
    );
    cleanups.push(() => live.close());
    const gone = await startTestServer(() => {});
    const gonePort = gone.port;
    await gone.close();
    const portal = createPortal({
      apps: [
        { name: 'live', title: 'Live', port: live.port, summary: '' },
        { name: 'gone', title: 'Gone', port: gonePort, summary: '' },
      ],
      timeoutMs: 500,
    });
    await new Promise<void>((resolve) => portal.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => portal.close(resolve)));
    const url = `http://127.0.0.1:${(portal.address() as AddressInfo).port}`;
    const statuses = (await (await fetch(`${url}/api/apps`)).json()) as AppStatus[];
    expect(statuses.map((s) => [s.name, s.health.status])).toEqual([
      ['live', 'ok'],
      ['gone', 'down'],
    ]);
    expect((await fetch(url)).status).toBe(200); // the built page, or how to build it
  });
});
