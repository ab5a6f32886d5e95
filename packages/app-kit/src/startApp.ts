import { gracefulShutdown, type Closeable } from '@twohop/server';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trackConnections } from './trackConnections.js';

/** What {@link startApp} and {@link runApp} can run: an HTTP server and the app's part of a graceful shutdown. */
export interface AppHandle extends Closeable {
  readonly http: HttpServer;
}

/** Options for {@link startApp}. */
export interface StartAppOptions {
  /** A fixed port (to restart an app where its clients expect it). @default 0, a free one */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** How long `close()` waits for clients before cutting them. @default 1000 */
  deadlineMs?: number;
}

/** An app listening for one test: `await using app = await startApp(createOrderbookServer())`. */
export interface StartedApp<T extends AppHandle> {
  /** The app as its factory built it. */
  readonly server: T;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Cuts every open TCP connection at once (a network failure, as clients see it); the app keeps listening. */
  dropConnections(): void;
  /** The app's graceful shutdown, as on SIGTERM (clients are told to reconnect); resolves when the port is free. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Listens on `host:port` and resolves once listening (rejects on EADDRINUSE and the like). */
export function listen(http: HttpServer, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const fail = (error: Error) => reject(error);
    http.once('error', fail);
    http.listen(port, host, () => {
      http.off('error', fail);
      resolve((http.address() as AddressInfo).port);
    });
  });
}

/**
 * Starts `server` on a free port of 127.0.0.1 — the same app `runApp` runs, disposable: `close()` runs the same
 * graceful shutdown as SIGTERM, and `dropConnections()` cuts every client at once to force reconnects.
 */
export async function startApp<T extends AppHandle>(
  server: T,
  options: StartAppOptions = {},
): Promise<StartedApp<T>> {
  const host = options.host ?? '127.0.0.1';
  const dropConnections = trackConnections(server.http);
  const port = await listen(server.http, options.port ?? 0, host);
  const shutdown = gracefulShutdown({
    server: server.http,
    closeables: [server],
    deadlineMs: options.deadlineMs ?? 1000,
    signals: [],
    log: () => {},
    exit: () => {},
  });
  const close = async () => {
    await shutdown('close');
    dropConnections();
  };
  return {
    server,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    dropConnections,
    close,
    [Symbol.asyncDispose]: close,
  };
}
