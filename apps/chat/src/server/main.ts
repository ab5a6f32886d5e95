/**
 * `pnpm start` for the chat: app-kit's `runApp` (PORT, HOST, TWOHOP_*, graceful shutdown), with the rooms in CHAT_DB
 * (default data/chat.db beside the app) and sessions signed with CHAT_SECRET (default: a secret kept beside the
 * database, so sessions survive a restart). On SIGINT/SIGTERM clients are told to reconnect and the write-ahead log
 * is folded into the database before the process exits.
 */
import { runApp } from '@twohop/app-kit';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { createChatServer } from './createChatServer.js';

/** The secret kept beside the database (made on first start). */
function secretBeside(database: string): string {
  const file = `${database}.secret`;
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

await runApp({
  manifest: new URL('../../package.json', import.meta.url),
  settings: z.object({
    CHAT_DB: z
      .string()
      .min(1)
      .default(fileURLToPath(new URL('../../data/chat.db', import.meta.url))),
    CHAT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  }),
  create: ({ config, settings }) => {
    mkdirSync(dirname(settings.CHAT_DB), { recursive: true });
    return createChatServer({
      runtime: config,
      database: settings.CHAT_DB,
      secret: settings.CHAT_SECRET ?? secretBeside(settings.CHAT_DB),
      webRoot: fileURLToPath(new URL('../../dist/web/', import.meta.url)),
      seedRooms: ['general', 'random'],
    });
  },
  describe: () => `store ${process.env['CHAT_DB'] ?? 'data/chat.db'}`,
});
