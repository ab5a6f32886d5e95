/**
 * `pnpm start` for the order book: app-kit's `runApp` (PORT, HOST, TWOHOP_* and graceful shutdown), with the
 * simulated order flow at ORDERBOOK_RATE book changes/s per symbol (default 1000; 20000 for a burst).
 */
import { runApp } from '@twohop/app-kit';
import { z } from 'zod';
import { createOrderbookServer } from './createOrderbookServer.js';

await runApp({
  manifest: new URL('../../package.json', import.meta.url),
  settings: z.object({
    ORDERBOOK_RATE: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  }),
  create: ({ config, settings }) => createOrderbookServer({ rate: settings.ORDERBOOK_RATE, runtime: config }),
  describe: (server) => `symbols ${[...server.symbols.keys()].join(', ')}, ${server.rate} changes/s each`,
});
