import { startApp } from '@twohop/app-kit';
import { createChatServer, type ChatServerOptions } from '../src/server/createChatServer.js';

/** Options that lift every budget: for tests about something else than limits (a flood of sends, hostile input). */
export const UNLIMITED: ChatServerOptions = {
  limits: { ratePerSecond: 1e6, rateBurst: 1e6 },
  userRate: 1e6,
  userBurst: 1e6,
  sendRate: 1e6,
  sendBurst: 1e6,
  roomsPerMinute: 1e6,
  roomBurst: 1e6,
};

/**
 * The chat on 127.0.0.1 for one test, through app-kit's `startApp` (secret `test-secret` unless `options` says
 * otherwise), on a free port or on `port` (a restart where the clients expect it). Its graceful shutdown is pushed
 * onto `cleanups`.
 */
export async function startChat(cleanups: Array<() => unknown>, options: ChatServerOptions = {}, port = 0) {
  const server = createChatServer({ secret: 'test-secret', ...options });
  await server.ready;
  const app = await startApp(server, { port });
  cleanups.push(() => app.close());
  return {
    server,
    url: app.url,
    port: app.port,
    dropConnections: app.dropConnections,
    stop: () => app.close(),
  };
}
