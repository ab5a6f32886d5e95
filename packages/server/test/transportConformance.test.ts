import { StreamClient } from '@twohop/client';
import { keyedState } from '@twohop/snapshot-delta';
import { keyedChecksum } from '@twohop/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { catalogOf, levelsPublisher, publishChanges, sameState, waitFor } from './helpers.js';
import { transports } from './transports.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// The same guarantees over every transport: resume by replay, snapshot fallback, restart into a new epoch.
describe.each(transports)('$name streams', (transport) => {
  async function serve(publisher = levelsPublisher(), port?: number) {
    const server = await transport.serve(catalogOf(publisher), port);
    cleanups.push(() => server.close());
    return { server, publisher };
  }

  function client(url: string) {
    const streamClient = new StreamClient({
      transport: transport.client(url),
      backoff: { baseMs: 20, capMs: 100 },
    });
    cleanups.push(() => streamClient.close());
    const subscribed: boolean[] = [];
    streamClient.events.on('subscribed', ({ recovered }) => subscribed.push(recovered));
    // Replicas verify the stream's checksums (rule 5), conflated deltas' included.
    const book = streamClient.subscribe('book:TEST', {
      model: keyedState<number>(),
      checksum: keyedChecksum,
    });
    return { streamClient, book, subscribed };
  }

  it('delivers a snapshot, then every delta, to a subscriber', async () => {
    const { server, publisher } = await serve();
    publishChanges(publisher, 10);
    const { book } = client(server.url);
    await waitFor('the snapshot', () => book.replica.status === 'live');
    publishChanges(publisher, 50, 20, 10);
    await waitFor('the deltas', () => book.replica.position?.seq === 60);
    expect(sameState(book.replica.state, publisher.state)).toBe(true);
    expect(book.replica.stats.snapshots).toBe(1);
    expect(book.replica.stats.resyncs).toBe(0);
  });

  it('after a forced disconnect, resume replays exactly the missed deltas (recovered: true)', async () => {
    const { server, publisher } = await serve();
    publishChanges(publisher, 5);
    const { book, subscribed } = client(server.url);
    await waitFor('live', () => book.replica.position?.seq === 5);
    const appliedBefore = book.replica.stats.applied;

    // Publish while the cut connection dies: these deltas are lost on the wire and must come back by replay.
    server.dropConnections();
    publishChanges(publisher, 7, 20, 5);
    await waitFor('the resume', () => book.replica.position?.seq === 12);

    expect(subscribed).toEqual([false, true]);
    expect(book.replica.stats.snapshots).toBe(1);
    expect(book.replica.stats.applied - appliedBefore).toBe(7);
    expect(book.replica.stats.duplicates).toBe(0);
    expect(sameState(book.replica.state, publisher.state)).toBe(true);
  });

  it('after the history ring has overflowed, resume falls back to a snapshot (recovered: false)', async () => {
    const { server, publisher } = await serve(levelsPublisher('book:TEST', 4));
    const { book, subscribed } = client(server.url);
    await waitFor('live', () => book.replica.status === 'live');

    server.dropConnections();
    publishChanges(publisher, 30);
    await waitFor('the snapshot', () => book.replica.position?.seq === 30);

    expect(subscribed).toEqual([false, false]);
    expect(book.replica.stats.snapshots).toBe(2);
    expect(sameState(book.replica.state, publisher.state)).toBe(true);
  });

  it('a server restart (new epoch) makes every client resync and converge', async () => {
    const first = await serve(levelsPublisher('book:TEST', 1024, 'epoch-before'));
    publishChanges(first.publisher, 20);
    const clients = [client(first.server.url), client(first.server.url), client(first.server.url)];
    await waitFor('all live', () => clients.every(({ book }) => book.replica.position?.seq === 20));

    await first.server.close();
    const restarted = levelsPublisher('book:TEST', 1024, 'epoch-after');
    publishChanges(restarted, 3, 5, 100);
    await serve(restarted, first.server.port);

    await waitFor('all converged on the new epoch', () =>
      clients.every(
        ({ book }) => book.replica.position?.epoch === 'epoch-after' && book.replica.position.seq === 3,
      ),
    );
    for (const { book, subscribed } of clients) {
      expect(sameState(book.replica.state, restarted.state)).toBe(true);
      expect(subscribed.at(-1)).toBe(false);
    }
  });
});
