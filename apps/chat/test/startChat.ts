import { trackConnections } from '@twohop/testkit/node';
import type { AddressInfo } from 'node:net';
import { createChatServer, type ChatServerOptions } from '../src/server/createChatServer.js';

/**
 * A chat server on 127.0.0.1 for one test (secret `test-secret` unless `options` says otherwise), on a free port or
 * on `port` (a restart where the clients expect it). Its shutdown is pushed onto `cleanups`.
 */
export async function startChat(cleanups: Array<() => unknown>, options: ChatServerOptions = {}, port = 0) {
  const server = createChatServer({ secret: 'test-secret', ...options });
  const dropConnections = trackConnections(server.http);
  await new Promise<void>((resolve) => server.http.listen(port, '127.0.0.1', resolve));
  /** Graceful shutdown, resolved when the port is free. */
  const stop = async () => {
    await server.close();
    await new Promise<void>((resolve) => server.http.close(() => resolve()));
  };
  cleanups.push(stop);
  const bound = (server.http.address() as AddressInfo).port;
  return { server, url: `http://127.0.0.1:${bound}`, port: bound, dropConnections, stop };
}
