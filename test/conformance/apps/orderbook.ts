import { startApp } from '@twohop/app-kit';
import { socketIoTransport } from '@twohop/client';
import { bookChecksum, levelBookState, type LevelBook } from '@twohop/orderbook/book';
import { createOrderbookServer } from '@twohop/orderbook/server';
import { SeededRandom } from '@twohop/testkit';
import type { AppAdapter } from '../AppAdapter.js';

const entries = (book: LevelBook) => new Map(book.entries());

/** The order book in embedded mode, followed on its full-depth stream `book:BTC-USD`. */
export const orderbookAdapter: AppAdapter = {
  name: 'orderbook',
  async start(port = 0) {
    const random = new SeededRandom(9);
    const app = await startApp(createOrderbookServer({ simulate: false, random: () => random.float() }), {
      port,
    });
    const { server, url } = app;
    const publisher = server.symbols.get('BTC-USD')!.feed.books.get('pro')!;
    // A client's conflating queue can hold at most one entry per distinct key the stream has changed.
    const keys = new Set<string>(publisher.state.entries().map(([key]) => key));
    publisher.subscribe((delta) => {
      for (const change of delta.data) keys.add(change.key);
    });
    return {
      url,
      port: app.port,
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
      dropConnections: app.dropConnections,
      stop: app.close,
    };
  },
};
