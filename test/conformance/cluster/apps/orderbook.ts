import { socketIoTransport } from '@twohop/client';
import { bookChecksum, levelBookState } from '@twohop/orderbook/book';
import { bookStream, tradesStream, type TradeView } from '@twohop/orderbook/streams';
import { keyedState } from '@twohop/snapshot-delta';
import type { ClusterAdapter } from '../ClusterAdapter.js';
import { followStreams, sortedEntries } from '../followStreams.js';

/**
 * The order book on several nodes: one engine (a singleton) simulates the market and publishes through Redis, the
 * gateway nodes serve it; changes flow on their own. A client follows BTC-USD's full-depth book (a state stream,
 * every delta checked against the engine's CRC32 checksum) and its trades (reliable: each trade once, in order).
 */
export const orderbookCluster: ClusterAdapter = {
  app: 'orderbook',
  // Three symbols at 200 changes/s each: steady flow that leaves two shared cores room for the nodes and clients.
  env: { ORDERBOOK_RATE: '200' },
  drive: () => Promise.resolve({ caused: () => 0, stop: () => Promise.resolve() }),
  follow: (route, fault) =>
    followStreams(
      ({ url, headers }) => socketIoTransport(url, { socket: { extraHeaders: { ...headers } } }),
      route,
      [
        {
          name: bookStream('BTC-USD', 'pro'),
          kind: 'state',
          model: levelBookState(),
          checksum: bookChecksum,
          canonical: sortedEntries,
        },
        {
          name: tradesStream('BTC-USD', 'pro'),
          kind: 'reliable',
          model: keyedState<TradeView>(),
          canonical: sortedEntries,
        },
      ],
      fault,
    ),
};
