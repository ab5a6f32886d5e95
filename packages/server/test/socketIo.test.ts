import { StreamClient, socketIoTransport } from '@twohop/client';
import { keyedState } from '@twohop/snapshot-delta';
import { startTestServer } from '@twohop/testkit/node';
import { afterEach, describe, expect, it } from 'vitest';
import { attachSocketIoStreams } from '../src/index.js';
import { catalogOf, levelsPublisher, publishChanges, sameState, waitFor } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(publisher = levelsPublisher(), port?: number) {
  const server = await startTestServer(
    ({ io }) => {
      attachSocketIoStreams(io, { catalog: catalogOf(publisher) });
    },
    port === undefined ? {} : { port },
  );
  cleanups.push(() => server.close());
  return { server, publisher };
}

describe('socket.io streams', () => {
  it('serves the binary tier: protobuf frames when the client asks for them', async () => {
    const { server, publisher } = await serve();
    publishChanges(publisher, 10);
    const streamClient = new StreamClient({
      transport: socketIoTransport(server.url, { codec: 'protobuf' }),
    });
    cleanups.push(() => streamClient.close());
    const book = streamClient.subscribe('book:TEST', { model: keyedState<number>() });
    await waitFor('the snapshot', () => book.replica.status === 'live');
    publishChanges(publisher, 30, 20, 10);
    await waitFor('the deltas', () => book.replica.position?.seq === 40);
    expect(sameState(book.replica.state, publisher.state)).toBe(true);
  });
});
