/**
 * `pnpm start` for the live auction: app-kit's `runApp` (PORT, HOST, TWOHOP_*, graceful shutdown), with simulated
 * bidders keeping AUCTION_LOTS lots alive (AUCTION_SIMULATION=off for none, AUCTION_SEED for a repeatable run,
 * AUCTION_LOT_MS for how long a new lot runs, give or take half), the
 * audit log in AUCTION_DB, and sessions signed with AUCTION_SECRET.
 *
 * One node (the embedded mode): bids accepted in this process, or in Redis when AUCTION_REDIS_URL is set; the audit
 * log defaults to data/audit.db beside the app (the in-process store is rebuilt from it at start).
 * Several nodes (TWOHOP_REDIS_URL, the redis mode): every node accepts bids in that Redis and follows every lot from
 * it; AUCTION_REDIS_URL, if set too, must be the same URL. Each node keeps its own audit log (default
 * data/audit-<TWOHOP_NODE>.db); without AUCTION_SECRET the nodes share one kept in Redis. Run the simulated bidders
 * on one process of the cluster only (the `simulator` singleton of package.json's `twohop.cluster`).
 */
import { runApp, sharedSecret } from '@twohop/app-kit';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { z } from 'zod';
import { createAuctionNode } from './cluster/createAuctionNode.js';
import { createAuctionServer } from './createAuctionServer.js';

/** The default audit log: one per node in the redis mode (nodes on one machine must not share a file). */
const defaultDb = (node: string | undefined) =>
  fileURLToPath(
    new URL(
      node === undefined ? '../../data/audit.db' : `../../data/audit-${node.replace(/[^\w.-]/g, '_')}.db`,
      import.meta.url,
    ),
  );

/** The audit log this process writes (for the start-up line). */
let auditPath = '';

await runApp({
  manifest: new URL('../../package.json', import.meta.url),
  modes: ['embedded', 'redis'],
  settings: z
    .object({
      AUCTION_DB: z.string().min(1).optional(),
      AUCTION_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
      AUCTION_SIMULATION: z.enum(['on', 'off']).default('on'),
      AUCTION_LOTS: z.coerce.number().int().min(1).max(50).default(4),
      AUCTION_SEED: z.coerce.number().int().min(0).optional(),
      AUCTION_LOT_MS: z.coerce
        .number()
        .int()
        .min(10_000)
        .max(7 * 24 * 3_600_000)
        .optional(),
      AUCTION_REDIS_URL: z.string().url().optional(),
      TWOHOP_REDIS_URL: z.string().optional(),
    })
    .refine(
      (env) =>
        env.TWOHOP_REDIS_URL === undefined ||
        env.AUCTION_REDIS_URL === undefined ||
        env.AUCTION_REDIS_URL === env.TWOHOP_REDIS_URL,
      {
        path: ['AUCTION_REDIS_URL'],
        message:
          'in the redis mode bids are accepted on TWOHOP_REDIS_URL: unset AUCTION_REDIS_URL or make it the same',
      },
    ),
  create: async ({ config, settings, logger, bus }) => {
    const database = settings.AUCTION_DB ?? defaultDb(config.mode === 'redis' ? config.node : undefined);
    mkdirSync(dirname(database), { recursive: true });
    auditPath = database;
    // The simulated bidders' choices, seeded: AUCTION_SEED repeats a run.
    const generator = xoroshiro128plus(settings.AUCTION_SEED ?? Date.now() % 2 ** 31);
    const common = {
      runtime: config,
      database,
      webRoot: fileURLToPath(new URL('../../dist/web/', import.meta.url)),
      simulation:
        settings.AUCTION_SIMULATION === 'off'
          ? (false as const)
          : {
              lots: settings.AUCTION_LOTS,
              random: () => uniformFloat64(generator),
              ...(settings.AUCTION_LOT_MS === undefined ? {} : { lotMs: settings.AUCTION_LOT_MS }),
            },
    };
    if (config.redisUrl !== undefined) {
      return createAuctionNode({
        ...common,
        redisUrl: config.redisUrl,
        secret: settings.AUCTION_SECRET ?? (await sharedSecret(bus, 'cluster:secret')),
        onError: (error) => logger.warn(`auction: following Redis: ${(error as Error).message}`),
      });
    }
    return createAuctionServer({
      ...common,
      ...(settings.AUCTION_REDIS_URL === undefined
        ? {}
        : { store: { kind: 'redis', url: settings.AUCTION_REDIS_URL } as const }),
      ...(settings.AUCTION_SECRET === undefined ? {} : { secret: settings.AUCTION_SECRET }),
    });
  },
  describe: (server) =>
    `${server.simulation === undefined ? 'no simulated bidders' : 'simulated bidders on'}, audit ${auditPath}`,
});
