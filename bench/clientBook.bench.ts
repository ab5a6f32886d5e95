import { orderBookWorkload } from '@twohop/testkit';
import { LevelBook } from '@twohop/orderbook/book';
import ccxt from 'ccxt';
import { measure, type BenchRow } from './benchTable.js';

/**
 * The order book app's client book against ccxt's WebSocket `OrderBook` (what ccxt uses to maintain books from
 * exchange deltas) on the same synthetic stream: `changeCount` absolute level changes over 1,000 levels per side,
 * clustered near the touch, 10% removals, with a top-20 read of both sides every 100 changes.
 */
export function benchClientBook(changeCount = 1_000_000): BenchRow[] {
  const changes = orderBookWorkload({ changes: changeCount, seed: 23 }).map((change) => {
    const [side, depth] = change.key.split(':') as [string, string];
    const bid = side === 'bid';
    // Level `depth` from the touch: bids below 10,000 ticks, asks from 10,001 up.
    const price = bid ? 10_000 - Number(depth) : 10_001 + Number(depth);
    return { bid, price, quantity: change.op === 'set' ? change.value : 0 };
  });
  const exchange = new ccxt.Exchange();
  let sink = 0;
  return measure(`${changeCount.toLocaleString('en')} level changes, top-20 read every 100`, changeCount, {
    'twohop LevelBook (worst-first sorted array + Map)': {
      run: () => {
        const book = new LevelBook();
        for (let i = 0; i < changes.length; i++) {
          const change = changes[i] as (typeof changes)[number];
          (change.bid ? book.bids : book.asks).set(change.price, change.quantity);
          if (i % 100 === 99) sink += book.bids.top(20).length + book.asks.top(20).length;
        }
      },
    },
    'baseline: ccxt OrderBook': {
      run: () => {
        const book = exchange.orderBook({}) as unknown as {
          bids: {
            store(price: number, size: number): void;
            [index: number]: [number, number];
            length: number;
          };
          asks: {
            store(price: number, size: number): void;
            [index: number]: [number, number];
            length: number;
          };
        };
        for (let i = 0; i < changes.length; i++) {
          const change = changes[i] as (typeof changes)[number];
          (change.bid ? book.bids : book.asks).store(change.price, change.quantity);
          if (i % 100 === 99) {
            for (const side of [book.bids, book.asks]) {
              const end = Math.min(20, side.length);
              for (let level = 0; level < end; level++)
                sink += (side[level] as [number, number])[1] > 0 ? 1 : 0;
            }
          }
        }
      },
    },
  }).map((row) => (sink >= 0 ? row : row));
}
