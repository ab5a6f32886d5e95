import {
  StreamClient,
  socketIoTransport,
  webSocketTransport,
  type WebSocketConstructor,
} from '@twohop/client';
import type { CloseNotice } from '@twohop/protocol';
import { StreamCatalog } from '@twohop/server';
import { keyedState, StreamPublisher } from '@twohop/snapshot-delta';
import { waitFor } from '@twohop/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApp, startApp } from '../src/index.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('createApp with webSocket', () => {
  it('serves the catalog over plain WebSocket at /ws beside socket.io, and tells both clients on close', async () => {
    const publisher = new StreamPublisher({ stream: 'demo:A', model: keyedState<number>() });
    publisher.publish([{ op: 'set', key: 'a', value: 1 }]);
    const started = await startApp(
      createApp({ name: 'demo', catalog: new StreamCatalog().add(publisher), webSocket: true }),
    );
    cleanups.push(() => started.close());
    expect(started.server.webSocketStreams).toBeDefined();

    const clients = [
      new StreamClient({
        transport: webSocketTransport(`${started.url}/ws`, {
          WebSocket: WebSocket as unknown as WebSocketConstructor,
        }),
        backoff: { baseMs: 5000 },
      }),
      new StreamClient({ transport: socketIoTransport(started.url), backoff: { baseMs: 5000 } }),
    ];
    const notices: CloseNotice[] = [];
    for (const client of clients) {
      cleanups.push(() => client.close());
      client.events.on('notice', (notice) => notices.push(notice));
    }
    const replicas = clients.map(
      (client) => client.subscribe('demo:A', { model: keyedState<number>() }).replica,
    );
    publisher.publish([{ op: 'set', key: 'b', value: 2 }]);
    await waitFor('both at seq 2', () => replicas.every((replica) => replica.position?.seq === 2));
    expect(started.server.webSocketStreams?.connections).toBe(1);

    await started.close();
    await waitFor('both notices', () => notices.length === 2);
    expect(notices.map((notice) => notice.error.code)).toEqual(['server_shutdown', 'server_shutdown']);
  });

  it('leaves plain WebSocket off unless asked', () => {
    const app = createApp({ name: 'demo', catalog: new StreamCatalog() });
    cleanups.push(() => app.close());
    expect(app.webSocketStreams).toBeUndefined();
  });
});
