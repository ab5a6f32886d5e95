import { socketIoTransport } from '@twohop/client';
import { bookChecksum, levelBookState, type LevelBook } from '@twohop/orderbook/book';
import { createOrderbookServer } from '@twohop/orderbook/server';
import { trackConnections } from '@twohop/testkit';
import type { AddressInfo } from 'node:net';
import type { AppAdapter } from '../AppAdapter.js';

const entries = (book: LevelBook) => new Map(book.entries());

/** The order book in embedded mode, followed on its full-depth stream `book:BTC-USD`. */
export const orderbookAdapter: AppAdapter = {
  name: 'orderbook',
  async start(port = 0) {
    const server = createOrderbookServer({ simulate: false, seed: 9 });
    const dropConnections = trackConnections(server.http);
    await new Promise<void>((resolve) => server.http.listen(port, '127.0.0.1', resolve));
    const bound = (server.http.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${bound}`;
    const publisher = server.symbols.get('BTC-USD')!.feed.books.get('pro')!;
    // A client's conflating queue can hold at most one entry per distinct key the stream has changed.
    const keys = new Set<string>(publisher.state.entries().map(([key]) => key));
    publisher.subscribe((event) => {
      if (event.type === 'delta') for (const change of event.data) keys.add(change.key);
    });
    return {
      url,
      port: bound,
      stream: 'book:BTC-USD',
      model: levelBookState(),
      checksum: bookChecksum,
      transport: () => socketIoTransport(url),
      cause: (count) => server.step(count),
      truth: () => ({ state: publisher.state, ...publisher.position }),
      same: (client, truth) => {
        const a = entries(client as LevelBook);
        const b = entries(truth as LevelBook);
        return a.size === b.size && [...a].every(([key, value]) => b.get(key) === value);
      },
      queuedChanges: () => server.streams.inspect().reduce((sum, stats) => sum + stats.queuedChanges, 0),
      queueBound: () => keys.size,
      stallRequest: { event: 'fault', payload: (ms) => ({ kind: 'stall', ms }) },
      dropConnections,
      async stop() {
        await server.close(1000);
        await new Promise<void>((resolve) => {
          server.http.close(() => resolve());
          dropConnections();
        });
      },
    };
  },
};
