import { memoryBus, mirrorFromBus, publishToBus } from '@twohop/bus';
import { StreamClient } from '@twohop/client';
import { keyedState, type KeyedChange } from '@twohop/snapshot-delta';
import { keyedChecksum, lossyBus } from '@twohop/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { catalogOf, levelsPublisher, publishChanges, sameState, waitFor } from './helpers.js';
import { transports } from './transports.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// A node that serves changes numbered elsewhere: publisher → bus → StreamMirror → hop 1. The same guarantees as
// serving the publisher itself, over every transport — and an upstream gap never reaches a client as a gap.
describe.each(transports)('$name serving a StreamMirror fed through a bus', (transport) => {
  async function node(logCapacity = 1000) {
    const lossy = lossyBus(memoryBus({ logCapacity }));
    const publisher = levelsPublisher();
    const publication = await publishToBus(publisher, lossy.bus, { snapshotEvery: 8 });
    const { mirror, close } = await mirrorFromBus({
      bus: lossy.bus,
      stream: publisher.stream,
      model: keyedState<number>(),
      checksum: keyedChecksum,
    });
    const server = await transport.serve(catalogOf(mirror));
    cleanups.push(
      () => publication.close(),
      close,
      () => server.close(),
    );
    /** Publishes `count` changes and waits until they are on the bus (the mirror hears them a microtask later). */
    const publish = async (count: number) => {
      publishChanges(publisher, count, 20, publisher.position.seq);
      await publication.flushed();
    };
    return { lossy, publisher, mirror, server, publish };
  }

  /** A client of `url` — or of whatever `current` says when it (re)connects, as behind a load balancer. */
  function client(url: string, current?: () => string) {
    const streamClient = new StreamClient({
      transport: current === undefined ? transport.client(url) : () => transport.client(current())(),
      backoff: { baseMs: 20, capMs: 100 },
    });
    cleanups.push(() => streamClient.close());
    const subscribed: boolean[] = [];
    streamClient.events.on('subscribed', ({ recovered }) => subscribed.push(recovered));
    const book = streamClient.subscribe<
      Map<string, number>,
      readonly KeyedChange<number>[],
      [string, number][]
    >('book:TEST', { model: keyedState<number>(), checksum: keyedChecksum });
    return { book, subscribed };
  }

  it('serves the bus’s positions, and resumes by replay from the mirror’s own ring after a cut', async () => {
    const { publisher, mirror, server, publish } = await node();
    await publish(10);
    const { book, subscribed } = client(server.url);
    await waitFor('live', () => book.replica.position?.seq === 10);
    expect(book.replica.position).toEqual(mirror.position);

    server.dropConnections();
    await publish(7);
    await waitFor('the resume', () => book.replica.position?.seq === 17);
    expect(subscribed).toEqual([false, true]);
    expect(book.replica.stats.snapshots).toBe(1);
    expect(sameState(book.replica.state, publisher.state)).toBe(true);
  });

  it('an entry lost between the bus and the mirror is caught up from the log: the client sees no gap', async () => {
    const { lossy, publisher, mirror, server, publish } = await node();
    const { book } = client(server.url);
    await waitFor('live', () => book.replica.status === 'live');
    lossy.losing = true;
    await publish(3);
    lossy.losing = false;
    await publish(2);
    await waitFor('caught up', () => book.replica.position?.seq === 5);
    expect(mirror.stats).toMatchObject({ gaps: 1, replays: 1 });
    expect(book.replica.stats).toMatchObject({ snapshots: 1, resyncs: 0 });
    expect(sameState(book.replica.state, publisher.state)).toBe(true);
  });

  it('an upstream gap past the trimmed log reaches the client as a fresh snapshot, never as a gap', async () => {
    const { lossy, publisher, mirror, server, publish } = await node(12);
    const { book } = client(server.url);
    await publish(2);
    await waitFor('live', () => book.replica.position?.seq === 2);
    lossy.losing = true;
    await publish(40);
    lossy.losing = false;
    await publish(1);
    await waitFor('the snapshot and the next delta', () => book.replica.position?.seq === 43);
    expect(mirror.stats.snapshots).toBe(2);
    // No resync: the client never saw a gap or a checksum mismatch; the mirror's reset sent it the snapshot.
    expect(book.replica.stats).toMatchObject({ snapshots: 2, resyncs: 0 });
    expect(sameState(book.replica.state, publisher.state)).toBe(true);
  });

  it('a node behind the client’s position holds its resume until its mirror gets there: a replay, not an older snapshot', async () => {
    // Two nodes follow one bus; B's tail is held back, as a slower node's would be.
    const bus = memoryBus();
    const publisher = levelsPublisher();
    const publication = await publishToBus(publisher, bus, { snapshotEvery: 8 });
    let holding = false;
    const held: (() => void)[] = [];
    const slow = lossyBus(bus, (_event, deliver) => (holding ? held.push(deliver) : deliver()));
    const mirrors = await Promise.all(
      [bus, slow.bus].map((nodeBus) =>
        mirrorFromBus({
          bus: nodeBus,
          stream: publisher.stream,
          model: keyedState<number>(),
          checksum: keyedChecksum,
        }),
      ),
    );
    const [a, b] = await Promise.all(mirrors.map(({ mirror }) => transport.serve(catalogOf(mirror))));
    cleanups.push(
      () => publication.close(),
      ...mirrors.map(({ close }) => close),
      () => a!.close(),
      () => b!.close(),
    );
    const slowMirror = mirrors[1]!.mirror;
    const asked: number[] = [];
    const reach = slowMirror.reach.bind(slowMirror);
    slowMirror.reach = (position, timeoutMs) => (asked.push(position.seq), reach(position, timeoutMs));

    const publish = async (count: number) => {
      publishChanges(publisher, count, 20, publisher.position.seq);
      await publication.flushed();
    };
    await publish(10);
    let url = a!.url;
    const { book, subscribed } = client(url, () => url);
    await waitFor('live on A at 10', () => book.replica.position?.seq === 10);
    holding = true;
    await publish(5);
    await waitFor('the client at 15 on A', () => book.replica.position?.seq === 15);
    expect(slowMirror.position.seq).toBe(10);

    url = b!.url; // A goes; the client lands on B, which is 5 behind it
    a!.dropConnections();
    await waitFor('B holding the resume', () => asked.includes(15));
    holding = false;
    for (const deliver of held.splice(0)) deliver();
    await publish(2);
    await waitFor('the client at 17 on B', () => book.replica.position?.seq === 17);
    expect(subscribed).toEqual([false, true]);
    expect(book.replica.stats.snapshots).toBe(1);
    expect(sameState(book.replica.state, publisher.state)).toBe(true);
  });
});
