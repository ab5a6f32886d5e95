import { listen, trackConnections } from '@twohop/app-kit';
import express, { type Express } from 'express';
import { createServer, type Server as HttpServer } from 'node:http';
import { Server as SocketIoServer, type ServerOptions } from 'socket.io';

/** A server on 127.0.0.1 and a free port, for one test: `await using server = await startTestServer(...)`. */
export interface DisposableServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly http: HttpServer;
  readonly app: Express;
  /** The socket.io server, attached to `http`. */
  readonly io: SocketIoServer;
  /** Cuts every open TCP connection at once (a network failure, as the client sees it); the server keeps listening. */
  dropConnections(): void;
  /** Cuts connections and stops listening. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options for {@link startTestServer}. */
export interface TestServerOptions {
  /** socket.io server options. @default websocket and polling, short ping */
  socketIo?: Partial<ServerOptions>;
  /** A fixed port (to restart a server where its clients expect it). @default 0, a free one */
  port?: number;
}

/**
 * Starts express and socket.io on one HTTP server bound to 127.0.0.1. `setup` mounts routes and attaches
 * bindings before the server listens.
 */
export async function startTestServer(
  setup: (parts: { app: Express; io: SocketIoServer; http: HttpServer }) => void | Promise<void>,
  options: TestServerOptions = {},
): Promise<DisposableServer> {
  const app = express();
  const http = createServer(app);
  const io = new SocketIoServer(http, { pingInterval: 5000, pingTimeout: 5000, ...options.socketIo });
  const dropConnections = trackConnections(http);
  await setup({ app, io, http });
  const port = await listen(http, options.port ?? 0, '127.0.0.1');
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      dropConnections();
      void io.close();
      http.close(() => resolve());
    });
    return closing;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    http,
    app,
    io,
    dropConnections,
    close,
    [Symbol.asyncDispose]: close,
  };
}
