import {
  createWebApp,
  discoverApps,
  listNodes,
  registerNode,
  startApp,
  type HttpErrorBody,
} from '@twohop/app-kit';
import { waitFor } from '@twohop/testkit';
import { startRedisServer } from '@twohop/testkit/node';
import { Redis } from 'ioredis';
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

describe('portal on a cluster', () => {
  it('lists each app’s nodes from the node registry with their own health; a crashed node is listed as down', async () => {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const connect = () => {
      const client = new Redis(redis.url, { maxRetriesPerRequest: 0 }).on('error', () => {});
      cleanups.push(() => client.disconnect());
      return client;
    };
    const nodes = await Promise.all(
      ['chat-1', 'chat-2'].map((node) =>
        startApp(createWebApp({ name: 'chat', runtime: { mode: 'redis', node } })),
      ),
    );
    for (const node of nodes) cleanups.push(() => node.close());
    const crashing = connect();
    const registrations = [
      await registerNode({ redis: connect(), app: 'chat', node: 'chat-1', url: nodes[0]!.url, ttlMs: 400 }),
      await registerNode({ redis: crashing, app: 'chat', node: 'chat-2', url: nodes[1]!.url, ttlMs: 400 }),
    ];
    cleanups.push(() => Promise.all(registrations.map((r) => r.close().catch(() => {}))));
    const reader = connect();
    const portal = await startApp(
      createPortal({
        apps: [
          { name: 'chat', title: 'Chat', port: nodes[0]!.port, summary: '', listed: true },
          { name: 'auction', title: 'Auction', port: nodes[1]!.port, summary: '', listed: true },
        ],
        timeoutMs: 500,
        nodes: () => listNodes(reader),
      }),
    );
    cleanups.push(() => portal.close());
    const chatNodes = async () => {
      const statuses = (await (await fetch(`${portal.url}/api/apps`)).json()) as AppStatus[];
      return statuses.map((app) => [
        app.name,
        app.nodes?.map((node) => [node.node, node.beating, node.health.status]),
      ]);
    };
    expect(await chatNodes()).toEqual([
      [
        'chat',
        [
          ['chat-1', true, 'ok'],
          ['chat-2', true, 'ok'],
        ],
      ],
      ['auction', []],
    ]);
    // chat-2's process is SIGKILLed: it stops beating and stops answering.
    crashing.disconnect();
    await nodes[1]!.close();
    await waitFor('chat-2 listed as down', async () =>
      JSON.stringify(await chatNodes()).includes('"chat-2",false'),
    );
    expect((await chatNodes())[0]).toEqual([
      'chat',
      [
        ['chat-1', true, 'ok'],
        ['chat-2', false, 'down'],
      ],
    ]);
  });
});
