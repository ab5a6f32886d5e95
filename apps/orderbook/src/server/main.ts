/**
 * `pnpm start` for the order book: app-kit's `runApp` (PORT, HOST, TWOHOP_* and graceful shutdown), with the
 * simulated order flow at ORDERBOOK_RATE book changes/s per symbol (default 1000; 20000 for a burst). With
 * TWOHOP_REDIS_URL it is one node of several, ORDERBOOK_ROLE saying which: the engine, a gateway, or both.
 */
import { runApp } from '@twohop/app-kit';
import { z } from 'zod';
import { createOrderbookNode, ORDERBOOK_ROLES } from './createOrderbookNode.js';
import { createOrderbookServer } from './createOrderbookServer.js';

await runApp({
  manifest: new URL('../../package.json', import.meta.url),
  modes: ['embedded', 'redis'],
  settings: z
    .object({
      ORDERBOOK_RATE: z.coerce.number().int().min(1).max(1_000_000).default(1000),
      ORDERBOOK_ROLE: z.enum(ORDERBOOK_ROLES, { error: 'must be engine, gateway or both' }).default('both'),
      TWOHOP_REDIS_URL: z.string().optional(),
    })
    .refine((env) => env.ORDERBOOK_ROLE === 'both' || env.TWOHOP_REDIS_URL !== undefined, {
      path: ['ORDERBOOK_ROLE'],
      message:
        'engine and gateway are roles of the redis mode: set TWOHOP_REDIS_URL (or unset ORDERBOOK_ROLE)',
    }),
  create: ({ config, settings, bus, logger }) =>
    config.mode === 'redis'
      ? createOrderbookNode({
          rate: settings.ORDERBOOK_RATE,
          runtime: config,
          bus,
          role: settings.ORDERBOOK_ROLE,
          onBusError: (error) => logger.warn(`bus: ${(error as Error).message}`),
        })
      : createOrderbookServer({ rate: settings.ORDERBOOK_RATE, runtime: config, bus }),
  describe: (server) =>
    `${'role' in server ? `${String(server.role)}, ` : ''}symbols ${[...server.symbols.keys()].join(', ')}, ` +
    `${server.rate} changes/s each`,
});
