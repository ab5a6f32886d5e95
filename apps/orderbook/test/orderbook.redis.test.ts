import { startApp } from '@twohop/app-kit';
import { redisBus } from '@twohop/bus-redis';
import {
  StreamClient,
  socketIoTransport,
  webSocketTransport,
  type WebSocketConstructor,
} from '@twohop/client';
import { keyedState } from '@twohop/snapshot-delta';
import { SeededRandom, waitFor } from '@twohop/testkit';
import { startRedisServer, type RedisServer } from '@twohop/testkit/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { orderbookPayloads } from '../src/domain/bookPayload.js';
import { bookChecksum, levelBookState } from '../src/domain/LevelBook.js';
import { bookStream, tradesStream, type TradeView } from '../src/domain/streams.js';
import { createOrderbookNode, type OrderbookRole } from '../src/server/createOrderbookNode.js';

let redis: RedisServer;
const cleanups: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await redis.stop();
});

/** One node of the order book on the test's Redis, listening on a free port. */
async function node(role: OrderbookRole, name: string) {
  const bus = await redisBus({ url: redis.url, prefix: 'orderbook-test:' });
  const random = new SeededRandom(7);
  const server = await createOrderbookNode({
    bus,
    role,
    simulate: false,
    random: () => random.float(),
    runtime: { mode: 'redis', node: name },
  });
  const app = await startApp(server);
  cleanups.push(() => app.close());
  return { server, url: app.url };
}

const entries = (state: { entries(): Iterable<[string, unknown]> }) => JSON.stringify([...state.entries()]);

describe('the order book in redis mode: one engine, two gateways', () => {
  it('clients of either gateway, over socket.io and /ws, converge on the engine’s book at every tier', async () => {
    const engine = await node('engine', 'engine-1');
    const gateways = [await node('gateway', 'gw-a'), await node('gateway', 'gw-b')];
    expect(await (await fetch(`${gateways[1]!.url}/healthz`)).json()).toEqual({
      status: 'ok',
      mode: 'redis',
      node: 'gw-b',
    });
    const feed = engine.server.symbols.get('BTC-USD')!.feed;
    const tiers = ['pro', 'retail', 'mobile'] as const;
    const followers = tiers.map((tier, i) => {
      const { url } = gateways[i % 2]!;
      const client = new StreamClient({
        transport:
          i === 1
            ? webSocketTransport(`${url}/ws`, { WebSocket: WebSocket as unknown as WebSocketConstructor })
            : socketIoTransport(url, {
                codec: tier === 'pro' ? 'protobuf' : 'json',
                binaryPayload: orderbookPayloads,
              }),
      });
      cleanups.push(async () => client.close());
      const book = client.subscribe(bookStream('BTC-USD', tier), {
        model: levelBookState(),
        checksum: bookChecksum,
      });
      const trades = client.subscribe(tradesStream('BTC-USD', tier), { model: keyedState<TradeView>() });
      const resyncs: string[] = [];
      client.events.on('resync', ({ stream, reason }) => resyncs.push(`${stream}: ${reason}`));
      return { tier, book, trades, resyncs };
    });
    await waitFor('every snapshot', () =>
      followers.every(
        ({ book, trades }) => book.replica.status === 'live' && trades.replica.status === 'live',
      ),
    );
    for (let round = 0; round < 10; round++) {
      engine.server.step(200);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await waitFor(
      'every tier in step with the engine',
      () =>
        followers.every(
          ({ tier, book, trades }) =>
            entries(book.replica.state) === entries(feed.books.get(tier)!.state) &&
            entries(trades.replica.state) === entries(feed.tradesByTier.get(tier)!.state),
        ),
      10_000,
    );
    // Checksums were verified on every delta: a mismatch would have asked for a resync.
    for (const { resyncs } of followers) expect(resyncs).toEqual([]);
    // Both gateways serve the bus's positions, not their own: the same epoch and seq for the same stream.
    const positions = await Promise.all(
      gateways.map(({ server }) => server.catalog.get(bookStream('BTC-USD', 'pro'))!.source.position),
    );
    expect(positions[0]).toEqual(positions[1]);
  });
});
