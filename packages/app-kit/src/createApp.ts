import { memoryBus, type Bus } from '@twohop/bus';
import {
  attachSocketIoStreams,
  attachWebSocketStreams,
  type SocketIoStreams,
  type SocketIoStreamsOptions,
  type StreamCatalog,
  type WebSocketStreams,
  type WebSocketStreamsOptions,
} from '@twohop/server';
import { Server as SocketIoServer, type ServerOptions } from 'socket.io';
import { createWebApp, type WebApp, type WebAppOptions } from './createWebApp.js';

/** Options for {@link createApp}. */
export interface AppOptions extends WebAppOptions {
  /** socket.io server options. @default messages up to 64 KiB */
  socketIo?: Partial<ServerOptions>;
  /** The streams the app serves over socket.io with twohop's stream protocol. */
  catalog?: StreamCatalog;
  /** How the streams are served (limits, clock, binary payloads, fault injection). */
  streams?: Omit<SocketIoStreamsOptions, 'catalog' | 'metrics'>;
  /** Hop 2: where the app's changes are numbered and shared with other nodes. @default an in-process `memoryBus()` */
  bus?: Bus;
  /**
   * Also serve the catalog over plain WebSocket (docs/protocol.md, "plain WebSocket"), beside socket.io on the same
   * port: `true` for the path `/ws`, or the binding's options. It shares `streams`' limits, clock, binary payloads
   * and fault injection; its own requests and identity are given here, since their context is not a socket.io
   * socket. @default false
   */
  webSocket?: boolean | Omit<WebSocketStreamsOptions, 'catalog' | 'metrics'>;
}

/** A real-time app: {@link WebApp} plus socket.io on the same HTTP server. */
export interface App extends WebApp {
  readonly io: SocketIoServer;
  /** Hop 2 (`embedded` mode: the in-process bus); closed last when the app closes. */
  readonly bus: Bus;
  /** The catalog's streams on socket.io, when the app has a catalog. */
  readonly streams: SocketIoStreams | undefined;
  /** The catalog's streams on plain WebSocket, when the app has a catalog and asked for them. */
  readonly webSocketStreams: WebSocketStreams | undefined;
}

/** An app that serves a catalog of streams. */
export interface StreamApp extends App {
  readonly streams: SocketIoStreams;
}

/** The options the socket.io binding shares with the plain-WebSocket one. */
function sharedStreamOptions(options: AppOptions['streams'] = {}): Partial<WebSocketStreamsOptions> {
  const { limits, clock, allowFaultInjection, binaryPayload, budgets } = options;
  return {
    ...(limits === undefined ? {} : { limits }),
    ...(clock === undefined ? {} : { clock }),
    ...(allowFaultInjection === undefined ? {} : { allowFaultInjection }),
    ...(binaryPayload === undefined ? {} : { binaryPayload }),
    ...(budgets === undefined ? {} : { budgets }),
  };
}

/**
 * Builds a real-time app: {@link createWebApp}'s express and HTTP server, socket.io on it, and — given a catalog —
 * its streams served with twohop's backpressure-aware sender and metrics (and over plain WebSocket too, with
 * `webSocket`), and its bus (hop 2). Closing tells every stream client `server_shutdown` (reconnect and resume),
 * closes what the app added, disconnects every remaining socket, then closes the bus.
 */
export function createApp(options: AppOptions & { catalog: StreamCatalog }): StreamApp;
export function createApp(options: AppOptions): App;
export function createApp(options: AppOptions): App {
  const web = createWebApp(options);
  const io = new SocketIoServer(web.http, { maxHttpBufferSize: 64 * 1024, ...options.socketIo });
  const streams =
    options.catalog === undefined
      ? undefined
      : attachSocketIoStreams(io, { ...options.streams, catalog: options.catalog, metrics: web.metrics });
  if (streams !== undefined) web.onClose(streams);
  const webSocketStreams =
    options.catalog === undefined || options.webSocket === undefined || options.webSocket === false
      ? undefined
      : attachWebSocketStreams(web.http, {
          ...sharedStreamOptions(options.streams),
          ...(options.webSocket === true ? {} : options.webSocket),
          catalog: options.catalog,
          metrics: web.metrics,
        });
  if (webSocketStreams !== undefined) web.onClose(webSocketStreams);
  const bus = options.bus ?? memoryBus();
  const closeWeb = web.close;
  let closing: Promise<void> | undefined;
  return Object.assign(web, {
    io,
    bus,
    streams,
    webSocketStreams,
    close(deadlineMs = 5000) {
      closing ??= (async () => {
        await closeWeb(deadlineMs);
        io.disconnectSockets(true);
        io.engine.close();
        await bus.close();
      })();
      return closing;
    },
  });
}
