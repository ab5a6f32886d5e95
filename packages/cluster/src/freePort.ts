import { createServer } from 'node:net';

/**
 * A port free on 127.0.0.1 right now, for servers that cannot bind port 0 and report it (redis-server, mosquitto):
 * the OS picks it, the probe lets it go. Another process may take it before the server binds; callers retry.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}
