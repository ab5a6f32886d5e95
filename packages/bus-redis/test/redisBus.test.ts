import { mirrorFromBus, publishToBus, type Bus } from '@twohop/bus';
import { keyedState, setKey, StreamPublisher, type KeyedChange } from '@twohop/snapshot-delta';
import { waitFor } from '@twohop/testkit';
import { startRedisServer, type RedisServer } from '@twohop/testkit/node';
import { afterEach, describe, expect, it } from 'vitest';
import { redisBus, type RedisBusOptions } from '../src/index.js';

type Changes = readonly KeyedChange<number>[];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function server(port?: number): Promise<RedisServer> {
  const started = await startRedisServer(port === undefined ? {} : { port });
  cleanups.push(() => started.stop());
  return started;
}
/** A node's handle on `redis`: short blocks and retries, so a lost server is noticed within a test's patience. */
async function node(redis: RedisServer, options: Partial<RedisBusOptions> = {}): Promise<Bus> {
  const bus = await redisBus({ url: redis.url, blockMs: 100, retryMs: 50, ...options });
  cleanups.push(() => bus.close());
  return bus;
}
/** A producer publishing `book:T` through `bus`. */
async function producer(bus: Bus, snapshotEvery = 16) {
  const publisher = new StreamPublisher({ stream: 'book:T', model: keyedState<number>() });
  const publication = await publishToBus(publisher, bus, {
    snapshotEvery,
    checkEveryMs: 100,
    onError: () => {},
  });
  cleanups.push(() => publication.close());
  const publish = (count: number) => {
    for (let i = 0; i < count; i++) publisher.publish([setKey(`k${i % 7}`, publisher.position.seq)]);
  };
  return { publisher, publication, publish };
}
async function follow(bus: Bus) {
  const followed = await mirrorFromBus<Map<string, number>, Changes, [string, number][]>({
    bus,
    stream: 'book:T',
    model: keyedState<number>(),
    requireSnapshot: true,
    retryMs: 50,
    checkEveryMs: 200,
  });
  cleanups.push(() => followed.close());
  return followed.mirror;
}

describe('redisBus on a real redis-server', () => {
  it('a Redis restart that loses every key is a new epoch: every mirror re-bootstraps and converges', async () => {
    const first = await server();
    const [engine, gatewayA, gatewayB] = [await node(first), await node(first), await node(first)];
    const { publisher, publication, publish } = await producer(engine);
    const mirrors = [await follow(gatewayA), await follow(gatewayB)];
    publish(40);
    await publication.flushed();
    await waitFor('the mirrors', () => mirrors.every((mirror) => mirror.position.seq === 40));
    const before = mirrors[0]!.position.epoch;

    await first.stop();
    await server(first.port); // the same address, nothing in it
    // Nothing is published now: the engine must notice on its own that the bus lost the stream.
    const inStep = () =>
      mirrors.every(
        (mirror) =>
          mirror.position.epoch !== before &&
          mirror.status === 'live' &&
          JSON.stringify([...mirror.state]) === JSON.stringify([...publisher.state]),
      );
    await waitFor('every mirror on a new epoch, in step with the engine', inStep);
    publish(3);
    await publication.flushed();
    await waitFor('the next changes', inStep);
    for (const mirror of mirrors) {
      expect(mirror.state).toEqual(publisher.state);
      expect(mirror.stats.snapshots).toBeGreaterThanOrEqual(2);
    }
  });

  it('a reader below the trimmed log is told to load the snapshot, and a mirror does', async () => {
    const redis = await server();
    const bus = await node(redis, { logCapacity: 20 });
    const { publisher, publication, publish } = await producer(bus, 8);
    const epoch = (await bus.position('book:T')).epoch;
    publish(100);
    await publication.flushed();
    expect(await bus.read('book:T', { epoch, seq: 50 })).toMatchObject({ ok: false, reason: 'trimmed' });
    const read = await bus.read('book:T', { epoch, seq: 80 });
    expect(read.ok && read.entries.map((entry) => entry.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => 81 + i),
    );
    const mirror = await follow(await node(redis, { logCapacity: 20 }));
    expect(mirror.stats).toMatchObject({ snapshots: 1, replays: 0 });
    expect(mirror.position).toEqual({ epoch, seq: 100 });
    expect(mirror.state).toEqual(publisher.state);
  });

  it('four nodes appending to one stream at once get dense seqs, each once, and a fifth tails them all', async () => {
    const redis = await server();
    const nodes = await Promise.all([1, 2, 3, 4].map(() => node(redis)));
    const watcher = await node(redis);
    const tailed: number[] = [];
    await watcher.tail('orders', (event) => {
      if (event.type === 'entry') tailed.push(event.entry.seq);
    });
    const perNode = 250;
    const given = (
      await Promise.all(
        nodes.map((bus, n) =>
          Promise.all(Array.from({ length: perNode }, (_, i) => bus.append('orders', { n, i }))),
        ),
      )
    ).flat();
    const all = Array.from({ length: nodes.length * perNode }, (_, i) => i + 1);
    expect(new Set(given.map((at) => at.epoch)).size).toBe(1);
    expect(given.map((at) => at.seq).sort((a, b) => a - b)).toEqual(all);
    await waitFor('the tail', () => tailed.length === all.length);
    expect(tailed).toEqual(all);
    // Each node's own appends kept their order in the log.
    const read = await watcher.read<{ n: number; i: number }>('orders', { ...given[0]!, seq: 0 });
    expect(read.ok).toBe(true);
    for (let n = 0; n < nodes.length; n++) {
      const mine = read.ok
        ? read.entries.filter((entry) => entry.data.n === n).map((entry) => entry.data.i)
        : [];
      expect(mine).toEqual(Array.from({ length: perNode }, (_, i) => i));
    }
  });

  it('a node that cannot reach Redis is refused with unavailable, never left waiting', async () => {
    const redis = await server();
    const bus = await node(redis);
    await redis.stop();
    await expect(bus.append('down', 1)).rejects.toMatchObject({ name: 'BusError', code: 'unavailable' });
    await expect(redisBus({ url: redis.url })).rejects.toMatchObject({ code: 'unavailable' });
  });
});
