/**
 * `pnpm start` for the chat: app-kit's `runApp` (PORT, HOST, TWOHOP_*, graceful shutdown). Embedded (the default):
 * the rooms in CHAT_DB (default data/chat.db beside the app), sessions signed with CHAT_SECRET (default: a secret
 * kept beside the database, so sessions survive a restart); on SIGINT/SIGTERM clients are told to reconnect and the
 * write-ahead log is folded into the database. With TWOHOP_REDIS_URL: one node of several sharing Redis — the store,
 * the feed, presence and the session secret (unless CHAT_SECRET) are there; CHAT_REDIS_DURABILITY says whether a
 * Redis that does not fsync before answering is only warned about (`warn`, the default) or refused (`require`,
 * exit 78), and CHAT_PRESENCE_TTL_MS how soon a killed node's users leave.
 */
import { CONFIG_EXIT_CODE, runApp, sharedSecret } from '@twohop/app-kit';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { createChatServer } from './createChatServer.js';
import { NotDurableError, redisBackend } from './redis/redisBackend.js';

/** The secret kept beside the database (made on first start). */
function secretBeside(database: string): string {
  const file = `${database}.secret`;
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** What the "listening" line says about the store. */
let store = '';

await runApp({
  manifest: new URL('../../package.json', import.meta.url),
  modes: ['embedded', 'redis'],
  settings: z.object({
    CHAT_DB: z
      .string()
      .min(1)
      .default(fileURLToPath(new URL('../../data/chat.db', import.meta.url))),
    CHAT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    CHAT_REDIS_DURABILITY: z.enum(['warn', 'require'], { error: 'must be warn or require' }).default('warn'),
    CHAT_PRESENCE_TTL_MS: z.coerce.number().int().min(300).max(600_000).default(10_000),
  }),
  create: async ({ config, settings, logger, bus }) => {
    const common = {
      runtime: config,
      webRoot: fileURLToPath(new URL('../../dist/web/', import.meta.url)),
      seedRooms: ['general', 'random'],
    };
    let server;
    if (config.redisUrl === undefined) {
      mkdirSync(dirname(settings.CHAT_DB), { recursive: true });
      store = `store ${settings.CHAT_DB}`;
      server = createChatServer({
        ...common,
        database: settings.CHAT_DB,
        secret: settings.CHAT_SECRET ?? secretBeside(settings.CHAT_DB),
      });
    } else {
      const backend = await redisBackend({
        url: config.redisUrl,
        node: config.node,
        durability: settings.CHAT_REDIS_DURABILITY,
        presenceTtlMs: settings.CHAT_PRESENCE_TTL_MS,
        warn: (line) => logger.warn(line),
      }).catch((error: unknown) => {
        if (!(error instanceof NotDurableError)) throw error;
        logger.error(`chat: ${error.message} (or set CHAT_REDIS_DURABILITY=warn)`);
        process.exit(CONFIG_EXIT_CODE);
      });
      store = `store, feed and presence on Redis, instance ${backend.instance}`;
      server = createChatServer({
        ...common,
        backend,
        secret: settings.CHAT_SECRET ?? (await sharedSecret(bus, 'session-secret')),
      });
    }
    await server.ready;
    return server;
  },
  describe: () => store,
});
