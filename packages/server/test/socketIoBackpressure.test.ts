import { jsonCodec, type DeltaMessage } from '@twohop/protocol';
import { keyedState, Replica, StreamPublisher } from '@twohop/snapshot-delta';
import { connectStallableSocket, startTestServer } from '@twohop/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { attachSocketIoStreams, StreamCatalog, type SocketIoStreams } from '../src/index.js';
import { counterValue, histogramSum, newMetrics, sameState, sleep, waitFor } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A stream of 200 keys whose values are ~150 bytes, so ten seconds of it outgrow the kernel's socket buffers. */
function paddedPublisher() {
  return new StreamPublisher({ stream: 'levels:PAD', model: keyedState<string>(), historyCapacity: 1024 });
}
const pad = 'x'.repeat(140);

async function serve(publisher: ReturnType<typeof paddedPublisher>, limits = {}) {
  const metrics = newMetrics();
  let streams: SocketIoStreams | undefined;
  // socket.io's default heartbeat (25 s + 20 s): a client stalled for 10 s must not be cut by engine.io first.
  const server = await startTestServer(
    ({ io }) => {
      streams = attachSocketIoStreams(io, { catalog: new StreamCatalog().add(publisher), metrics, limits });
    },
    { socketIo: { pingInterval: 25_000, pingTimeout: 20_000 } },
  );
  cleanups.push(() => server.close());
  return { server, metrics, streams: streams as SocketIoStreams };
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

/** Publishes `perTick` single-key changes every 10 ms (100 ticks a second) until stopped. */
function publishLoad(
  publisher: ReturnType<typeof paddedPublisher>,
  perTick: number,
  onTick: () => void = () => {},
) {
  let n = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < perTick; i++, n++)
      publisher.publish([{ op: 'set', key: `level${n % 200}`, value: `${n}${pad}` }]);
    onTick();
  }, 10);
  return { stop: () => clearInterval(timer), published: () => n };
}

describe('socket.io backpressure', () => {
  it('a client stalled for 10 s at 10,000 changes/s over 200 keys costs at most 200 queued entries, then converges', async () => {
    const publisher = paddedPublisher();
    const { server, streams, metrics } = await serve(publisher, { maxStallMs: 60_000 });
    const { socket, replica, conflated, rangeMismatches } = await stallableSubscriber(server.url);

    socket.stall();
    let maxQueued = 0;
    let maxTransportBuffered = 0;
    const load = publishLoad(publisher, 100, () => {
      for (const stats of streams.inspect()) {
        maxQueued = Math.max(maxQueued, stats.queuedChanges);
        maxTransportBuffered = Math.max(maxTransportBuffered, stats.transportBuffered ?? 0);
      }
    });
    await sleep(10_000);
    load.stop();
    console.log(
      `stalled 10 s: published ${load.published()} changes; server queue peak ${maxQueued} entries, ` +
        `engine.io write buffer peak ${maxTransportBuffered} packets`,
    );

    expect(load.published()).toBeGreaterThan(50_000);
    expect(maxQueued).toBeLessThanOrEqual(200);
    expect(maxTransportBuffered).toBeLessThanOrEqual(1);
    socket.resume();
    await waitFor('the replica to converge', () => replica.position?.seq === publisher.position.seq, 20_000);
    expect(sameState(replica.state, publisher.state)).toBe(true);
    // The stall really bit: the server merged changes for this client and sent them as conflated deltas.
    expect(conflated()).toBeGreaterThan(0);
    expect(rangeMismatches()).toBe(0);
    expect(await counterValue(metrics, 'twohop_conflated_merges_total')).toBeGreaterThan(0);
    // The changes held during the stall waited seconds, and the queue-delay histogram saw it.
    expect(await histogramSum(metrics, 'twohop_queue_delay_seconds')).toBeGreaterThan(1);
    expect(replica.stats.resyncs).toBe(0);
  }, 60_000);

  it('a client stalled past the limit is disconnected with slow_consumer, and the others carry on', async () => {
    const publisher = paddedPublisher();
    const { server, streams, metrics } = await serve(publisher, { maxStallMs: 300 });
    const healthy = await stallableSubscriber(server.url);
    const stalled = await stallableSubscriber(server.url);
    let disconnected = false;
    stalled.socket.on('disconnect', () => (disconnected = true));

    stalled.socket.stall();
    const load = publishLoad(publisher, 100);
    await waitFor('the slow consumer to be cut', () => streams.connections === 1, 20_000);
    load.stop();
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
