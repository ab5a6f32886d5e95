import { StreamClient, socketIoTransport } from '@twohop/client';
import { keyedState } from '@twohop/snapshot-delta';
import { startApp } from '@twohop/app-kit';
import { SeededRandom, waitFor } from '@twohop/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { bookChecksum, levelBookState, type LevelBook } from '../src/domain/LevelBook.js';
import { bookStream, type TradeView } from '../src/domain/streams.js';
import { orderbookPayloads } from '../src/domain/bookPayload.js';
import { createOrderbookServer, type OrderbookServer } from '../src/server/createOrderbookServer.js';
import { expectedTierView } from './tierOracle.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(): Promise<{ server: OrderbookServer; url: string }> {
  const random = new SeededRandom(3);
  const app = await startApp(createOrderbookServer({ simulate: false, random: () => random.float() }));
  cleanups.push(() => app.close());
  return app;
}

const entries = (book: LevelBook) => new Map(book.entries());

describe('order book over socket.io, every tier', () => {
  it('each tier’s client converges on the engine’s book through that tier, checksums verified', async () => {
    const { server, url } = await start();
    const runtime = server.symbols.get('BTC-USD')!;
    const clients = (['pro', 'retail', 'mobile'] as const).map((tier) => {
      const client = new StreamClient({
        transport: socketIoTransport(url, {
          codec: tier === 'pro' ? 'protobuf' : 'json',
          binaryPayload: orderbookPayloads,
        }),
      });
      cleanups.push(() => client.close());
      const stream = client.subscribe(bookStream('BTC-USD', tier), {
        model: levelBookState(),
        checksum: bookChecksum,
      });
      return { tier, client, stream };
    });
    const trades = clients[0]!.client.subscribe('trades:BTC-USD', { model: keyedState<TradeView>() });
    await waitFor('snapshots', () => clients.every(({ stream }) => stream.replica.status === 'live'));

    for (let round = 0; round < 10; round++) {
      server.step(300);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    const publishers = runtime.feed.books;
    // Retail frames come at most every 100 ms and mobile every 1 s: wait for the last one.
    await waitFor(
      'every tier to catch up',
      () =>
        clients.every(
          ({ tier, stream }) => stream.replica.position?.seq === publishers.get(tier)!.position.seq,
        ),
      5000,
    );
    const full = publishers.get('pro')!.state;
    for (const { tier, stream } of clients) {
      expect(stream.replica.stats.resyncs, tier).toBe(0);
      const expected = expectedTierView(
        entries(full),
        runtime.feed.tiers.find((t) => t.name === tier)!,
      );
      expect(entries(stream.replica.state), tier).toEqual(expected);
    }
    // The slower tiers saw fewer, conflated frames.
    expect(clients[2]!.stream.replica.stats.applied).toBeLessThan(clients[0]!.stream.replica.stats.applied);
    await waitFor('trades', () => trades.replica.position?.seq === runtime.feed.trades.position.seq);
    expect([...trades.replica.state.values()].length).toBe(runtime.feed.trades.state.size);
  }, 30_000);

  it('answers /healthz and /metrics with stream and engine metrics', async () => {
    const { server, url } = await start();
    server.step(10);
    const health = (await (await fetch(`${url}/healthz`)).json()) as { status: string; mode: string };
    expect(health).toEqual({ status: 'ok', mode: 'embedded', node: server.runtime.node });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('orderbook_orders_total{symbol="BTC-USD"');
    expect(metrics).toContain('orderbook_depth_levels{symbol="BTC-USD",side="bid"');
    expect(metrics).toContain('twohop_connected_clients');
  });
});
