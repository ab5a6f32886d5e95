import { jsonCodec, type DeltaMessage } from '@twohop/protocol';
import { keyedState, Replica, StreamPublisher } from '@twohop/snapshot-delta';
import { FakeClock } from '@twohop/testkit';
import { connectStallableSocket, startTestServer } from '@twohop/testkit/node';
import { afterEach, describe, expect, it } from 'vitest';
import { attachSocketIoStreams, StreamCatalog, type SocketIoStreams } from '../src/index.js';
import { counterValue, histogramSum, newMetrics, sameState, waitFor } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A stream of 200 keys whose values are ~150 bytes, so 100,000 changes (15 MB) outgrow the kernel's socket buffers. */
function paddedPublisher() {
  return new StreamPublisher({ stream: 'levels:PAD', model: keyedState<string>(), historyCapacity: 1024 });
}
const pad = 'x'.repeat(140);

async function serve(publisher: ReturnType<typeof paddedPublisher>, limits = {}) {
  const metrics = newMetrics();
  // The server's clock is a fake one: stall limits and queue delays move only when the test advances it.
  const clock = new FakeClock();
  let streams: SocketIoStreams | undefined;
  // socket.io's default heartbeat (25 s + 20 s): a stalled client must not be cut by engine.io first.
  const server = await startTestServer(
    ({ io }) => {
      streams = attachSocketIoStreams(io, {
        catalog: new StreamCatalog().add(publisher),
        metrics,
        limits,
        clock,
      });
    },
    { socketIo: { pingInterval: 25_000, pingTimeout: 20_000 } },
  );
  cleanups.push(() => server.close());
  return { server, metrics, clock, streams: streams as SocketIoStreams };
}

/** A raw stallable client with a replica fed from its frames. */
async function stallableSubscriber(url: string) {
  const socket = await connectStallableSocket(url);
  cleanups.push(() => socket.disconnect());
  let conflated = 0;
  let rangeMismatches = 0;
  const replica = new Replica({
    model: keyedState<string>(),
    onResync: () => void socket.emitWithAck('resync', { stream: 'levels:PAD' }),
  });
  socket.on('m', (frame: string) => {
    const message = jsonCodec.decode(frame);
    if (message.type === 'delta' && message.from !== undefined && message.from < message.seq) {
      conflated++;
      // Ranges are contiguous: a conflated delta starts exactly one past what this client has.
      if (message.from !== (replica.position?.seq ?? 0) + 1) rangeMismatches++;
    }
    replica.receive(message as DeltaMessage<never>);
  });
  const ack: unknown = await socket.emitWithAck('subscribe', { stream: 'levels:PAD' });
  expect(ack).toEqual({ ok: true, recovered: false });
  await waitFor('the snapshot', () => replica.status === 'live');
  return { socket, replica, conflated: () => conflated, rangeMismatches: () => rangeMismatches };
}

/**
 * Publishes `total` single-key changes over 200 keys in rounds of 100, yielding to the event loop after each round
 * so the server writes what the socket takes; `onRound` runs after each. Bounded by count, not by time.
 */
async function publishLoad(
  publisher: ReturnType<typeof paddedPublisher>,
  total: number,
  onRound: () => void = () => {},
) {
  for (let n = 0; n < total;) {
    for (let i = 0; i < 100; i++, n++)
      publisher.publish([{ op: 'set', key: `level${n % 200}`, value: `${n}${pad}` }]);
    await new Promise((resolve) => setImmediate(resolve));
    onRound();
  }
}

describe('socket.io backpressure', () => {
  it('a client stalled through 100,000 changes over 200 keys costs at most 200 queued entries, then converges', async () => {
    const publisher = paddedPublisher();
    const { server, streams, metrics, clock } = await serve(publisher, { maxStallMs: 60_000 });
    const { socket, replica, conflated, rangeMismatches } = await stallableSubscriber(server.url);

    socket.stall();
    let maxQueued = 0;
    let maxTransportBuffered = 0;
    await publishLoad(publisher, 100_000, () => {
      for (const stats of streams.inspect()) {
        maxQueued = Math.max(maxQueued, stats.queuedChanges);
        maxTransportBuffered = Math.max(maxTransportBuffered, stats.transportBuffered ?? 0);
      }
    });
    // What is held waits 2 s on the server's clock before the client reads again.
    clock.advance(2000);
    console.log(
      `stalled: server queue peak ${maxQueued} entries, engine.io write buffer peak ${maxTransportBuffered} packets`,
    );
    // The stall bit (the server held changes for this client), and held no more than one entry per key.
    expect(maxQueued).toBeGreaterThan(0);
    expect(maxQueued).toBeLessThanOrEqual(200);
    expect(maxTransportBuffered).toBeLessThanOrEqual(1);
    socket.resume();
    await waitFor('the replica to converge', () => replica.position?.seq === publisher.position.seq, 20_000);
    expect(sameState(replica.state, publisher.state)).toBe(true);
    // The server merged changes for this client and sent them as conflated deltas with contiguous ranges.
    expect(conflated()).toBeGreaterThan(0);
    expect(rangeMismatches()).toBe(0);
    expect(await counterValue(metrics, 'twohop_conflated_merges_total')).toBeGreaterThan(0);
    // The changes held during the stall waited the 2 s the clock moved, and the queue-delay histogram saw it.
    expect(await histogramSum(metrics, 'twohop_queue_delay_seconds')).toBeGreaterThanOrEqual(2);
    expect(replica.stats.resyncs).toBe(0);
  }, 60_000);

  it('a client stalled past the limit is disconnected with slow_consumer, and the others carry on', async () => {
    const publisher = paddedPublisher();
    const { server, streams, metrics, clock } = await serve(publisher, { maxStallMs: 300 });
    const healthy = await stallableSubscriber(server.url);
    const stalled = await stallableSubscriber(server.url);
    let disconnected = false;
    stalled.socket.on('disconnect', () => (disconnected = true));

    stalled.socket.stall();
    await publishLoad(publisher, 100_000);
    await waitFor(
      'the healthy client to keep up',
      () => healthy.replica.position?.seq === publisher.position.seq,
    );
    // Only the stalled client has changes held for it; the limit passes on the server's clock.
    expect(streams.inspect().filter((stats) => stats.queuedChanges > 0)).toHaveLength(1);
    clock.advance(299);
    expect(streams.connections).toBe(2);
    clock.advance(300);
    expect(streams.connections).toBe(1);
    expect(await counterValue(metrics, 'twohop_slow_consumer_disconnects_total', { reason: 'stalled' })).toBe(
      1,
    );

    stalled.socket.resume();
    await waitFor('the stalled client to see the disconnect', () => disconnected);
    await waitFor(
      'the healthy client to converge',
      () => healthy.replica.position?.seq === publisher.position.seq,
    );
    expect(sameState(healthy.replica.state, publisher.state)).toBe(true);
  }, 60_000);
});
