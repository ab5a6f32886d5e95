import type { Server as HttpServer } from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import type { Registry } from 'prom-client';
import type { Server as SocketIoServer, Socket } from 'socket.io';

/**
 * Fault injection and canaries at the edge of a running app's server, the same for every app: they act on the
 * app's HTTP server, its socket.io server and its TCP connections, never on its code.
 */

/** Runs `action` on every socket.io connection the app accepts from now on. */
function onEveryConnection(io: SocketIoServer, action: (socket: Socket) => void): void {
  io.on('connection', action);
}

/**
 * Rewrites each request's payload before the app reads it (`prependAny` runs before any of the app's listeners and
 * middleware, and they all see the same payload object).
 */
export function rewriteRequests(
  io: SocketIoServer,
  rewrite: (event: string, payload: Record<string, unknown>) => void,
): void {
  onEveryConnection(io, (socket) =>
    socket.prependAny((event: unknown, payload: unknown) => {
      if (typeof event === 'string' && typeof payload === 'object' && payload !== null) {
        rewrite(event, payload as Record<string, unknown>);
      }
    }),
  );
}

type AckFactory = (id: number) => (...reply: unknown[]) => void;

/**
 * Replaces how the app's acknowledgements are sent. socket.io builds each packet's ack callback with the socket's
 * `ack(id)` before any listener runs; overriding it on the instance changes every reply the app sends.
 */
export function rewriteReplies(
  io: SocketIoServer,
  rewrite: (send: (...reply: unknown[]) => void) => (...reply: unknown[]) => void,
): void {
  onEveryConnection(io, (socket) => {
    const target = socket as unknown as { ack: AckFactory };
    const original = target.ack.bind(socket);
    target.ack = (id) => rewrite(original(id));
  });
}

/** Wipes every count just before `/metrics` is served: the metrics exist but never count anything. */
export function resetBeforeScrape(http: HttpServer, registry: Registry): void {
  http.prependListener('request', (request: { url?: string }) => {
    if (request.url?.startsWith('/metrics') === true) registry.resetMetrics();
  });
}

/**
 * Follows the app's TCP connections so that the server's side of every connection open now can fall silent: the
 * socket is corked, so whatever the server writes (frames, heartbeats, pings) stays in the server's buffer. A
 * network black hole, as the client sees it.
 */
export function tcpEdge(http: HttpServer) {
  const sockets = new Set<NetSocket>();
  http.on('connection', (socket: NetSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    /** Silences every connection open now; returns the function that lets them speak again. */
    silence(): () => void {
      const silenced = [...sockets];
      for (const socket of silenced) socket.cork();
      return () => {
        for (const socket of silenced) if (!socket.destroyed) socket.uncork();
      };
    },
  };
}

/**
 * Holds back new socket.io connections that `matches` selects: their handshake waits until the returned function is
 * called (a client kept away while the app moves on without it).
 */
export function holdConnections(io: SocketIoServer, matches: (socket: Socket) => boolean): () => void {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  io.use((socket, next) => {
    if (matches(socket)) void released.then(() => next());
    else next();
  });
  return release;
}

/** Bytes a server-side socket holds and has not written to the network: engine.io's queue and the TCP buffer. */
export function heldBytes(socket: Socket | undefined): number {
  if (socket === undefined) return 0;
  const conn = socket.conn as unknown as {
    writeBuffer: { data?: unknown }[];
    transport: { socket?: { _socket?: { writableLength: number } } };
  };
  const queued = conn.writeBuffer.reduce(
    (bytes, packet) => bytes + (typeof packet.data === 'string' ? packet.data.length : 0),
    0,
  );
  return queued + (conn.transport.socket?._socket?.writableLength ?? 0);
}
