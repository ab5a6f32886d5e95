/**
 * `pnpm start` for the live auction: app-kit's `runApp` (PORT, HOST, TWOHOP_*, graceful shutdown), with simulated
 * bidders keeping AUCTION_LOTS lots alive (AUCTION_SIMULATION=off for none, AUCTION_SEED for a repeatable run), the
 * audit log in AUCTION_DB (default data/audit.db beside the app; the in-process store is rebuilt from it at start),
 * bids accepted in Redis when AUCTION_REDIS_URL is set, and sessions signed with AUCTION_SECRET.
 */
import { runApp } from '@twohop/app-kit';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { z } from 'zod';
import { createAuctionServer } from './createAuctionServer.js';

await runApp({
  manifest: new URL('../../package.json', import.meta.url),
  settings: z.object({
    AUCTION_DB: z
      .string()
      .min(1)
      .default(fileURLToPath(new URL('../../data/audit.db', import.meta.url))),
    AUCTION_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    AUCTION_SIMULATION: z.enum(['on', 'off']).default('on'),
    AUCTION_LOTS: z.coerce.number().int().min(1).max(50).default(4),
    AUCTION_SEED: z.coerce.number().int().min(0).optional(),
    AUCTION_REDIS_URL: z.string().url().optional(),
  }),
  create: ({ config, settings }) => {
    mkdirSync(dirname(settings.AUCTION_DB), { recursive: true });
    // The simulated bidders' choices, seeded: AUCTION_SEED repeats a run.
    const generator = xoroshiro128plus(settings.AUCTION_SEED ?? Date.now() % 2 ** 31);
    return createAuctionServer({
      runtime: config,
      database: settings.AUCTION_DB,
      ...(settings.AUCTION_REDIS_URL === undefined
        ? {}
        : { store: { kind: 'redis', url: settings.AUCTION_REDIS_URL } as const }),
      ...(settings.AUCTION_SECRET === undefined ? {} : { secret: settings.AUCTION_SECRET }),
      webRoot: fileURLToPath(new URL('../../dist/web/', import.meta.url)),
      simulation:
        settings.AUCTION_SIMULATION === 'off'
          ? false
          : { lots: settings.AUCTION_LOTS, random: () => uniformFloat64(generator) },
    });
  },
  describe: (server) =>
    `${server.simulation === undefined ? 'no simulated bidders' : 'simulated bidders on'}, audit ${process.env['AUCTION_DB'] ?? 'data/audit.db'}`,
});
