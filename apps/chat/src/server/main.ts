/**
 * `pnpm start` for the chat: listens on HOST:PORT (default 127.0.0.1:4104), keeps its rooms in CHAT_DB (default
 * data/chat.db beside the app), signs sessions with CHAT_SECRET (default: a secret kept beside the database, so
 * sessions survive a restart), and shuts down gracefully on SIGINT/SIGTERM: stop accepting, tell clients to
 * reconnect, fold the write-ahead log into the database, exit.
 */
import { gracefulShutdown } from '@twohop/server';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createChatServer } from './createChatServer.js';

const port = Number(process.env['PORT'] ?? 4104);
const host = process.env['HOST'] ?? '127.0.0.1';
const database = process.env['CHAT_DB'] ?? fileURLToPath(new URL('../../data/chat.db', import.meta.url));
mkdirSync(dirname(database), { recursive: true });

function secret(): string {
  const fromEnv = process.env['CHAT_SECRET'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const file = `${database}.secret`;
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

const server = createChatServer({
  database,
  secret: secret(),
  webRoot: fileURLToPath(new URL('../../dist/web/', import.meta.url)),
  seedRooms: ['general', 'random'],
});
server.http.listen(port, host, () => {
  console.log(`chat: http://${host}:${port} (store ${database})`);
});
gracefulShutdown({ server: server.http, closeables: [server] });
