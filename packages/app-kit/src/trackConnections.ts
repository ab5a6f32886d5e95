import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Follows `http`'s open TCP connections and returns the function that cuts them all at once — a network failure, as
 * the clients see it; the server keeps listening.
 */
export function trackConnections(http: HttpServer): () => void {
  const sockets = new Set<Socket>();
  http.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return () => {
    for (const socket of sockets) socket.destroy();
  };
}
