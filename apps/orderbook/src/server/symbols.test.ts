import { SeededRandom } from '@twohop/testkit';
import { describe, expect, it } from 'vitest';
import { createOrderbookServer } from './createOrderbookServer.js';

describe('the mobile tier on the simulated market', () => {
  it('shows ten buckets per side for every symbol, all along the run', async () => {
    const random = new SeededRandom(3);
    const server = createOrderbookServer({ simulate: false, random: () => random.float() });
    try {
      for (let round = 0; round < 40; round++) {
        server.step(100);
        for (const { spec, feed } of server.symbols.values()) {
          const mobile = feed.books.get('mobile')!.state;
          expect({ symbol: spec.symbol, bids: mobile.bids.size, asks: mobile.asks.size }).toEqual({
            symbol: spec.symbol,
            bids: 10,
            asks: 10,
          });
        }
      }
    } finally {
      await server.close(10);
    }
  });
});
