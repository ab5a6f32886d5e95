import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { streamKind, type StreamMetrics } from '@twohop/metrics';
import { jsonCodec, protobufCodec, type PayloadResolver, type ServerMessage } from '@twohop/protocol';
import { systemClock, type Clock, type TimerHandle } from '@twohop/sequence';
import { WebSocketServer, type PerMessageDeflateOptions, type WebSocket } from 'ws';
import { encodeOnce } from './encodeOnce.js';
import { Fanout } from './Fanout.js';
import { faultRequests, InjectedStall } from './faultInjection.js';
import { IdentityBudgets } from './IdentityBudgets.js';
import { defaultLimits, type ConnectionLimits } from './limits.js';
import type { BoundRequests, RequestRouter } from './RequestRouter.js';
import type { StreamCatalog } from './StreamCatalog.js';
import { StreamConnection, type ConnectionStats } from './StreamConnection.js';
import { EncodedFrame, WebSocketOutput } from './webSocketOutput.js';
import { WebSocketMember as Member } from './webSocketMember.js';
import { serveWebSocketRequests } from './webSocketRequests.js';

/** One plain-WebSocket client, as an app's request handlers see it. */
export interface WebSocketPeer {
  readonly socket: WebSocket;
  /** The HTTP upgrade request (its headers, cookies, query). */
  readonly request: IncomingMessage;
}

/** Options for {@link attachWebSocketStreams}. */
export interface WebSocketStreamsOptions {
  catalog: StreamCatalog;
  /** The path clients connect to; upgrades to other paths are left to other listeners (socket.io's). @default '/ws' */
  path?: string;
  limits?: Partial<ConnectionLimits>;
  metrics?: StreamMetrics;
  clock?: Clock;
  /** Serves the demo's `fault {kind: 'stall', ms}` request, as the socket.io binding does. Off in production. @default false */
  allowFaultInjection?: boolean;
  /** The app's own requests, served through the same gate as the stream requests. Handlers get the peer. */
  requests?: RequestRouter<WebSocketPeer>;
  /** The identity whose budget a connection shares with its other connections (a user id), if any. */
  identity?: (request: IncomingMessage) => string | undefined;
  /** The identities' budgets (used with `identity`). @default `new IdentityBudgets()` */
  budgets?: IdentityBudgets;
  /** Binary payloads per stream for clients on `?codec=protobuf` (JSON bytes for streams it leaves out). */
  binaryPayload?: PayloadResolver;
  /**
   * Unflushed bytes (the socket's `bufferedAmount`) at or above which a connection takes no more frames until it
   * flushes: what one slow client can hold in the server's memory, plus one frame. @default 16384
   */
  highWaterBytes?: number;
  /** The largest frame a client may send; a larger one closes the connection with 1009. @default 65536 */
  maxFrameBytes?: number;
  /**
   * permessage-deflate. Off by default: it compresses each frame once per connection (with that connection's own
   * zlib context), which undoes encoding a delta once for all subscribers, costs memory per connection, and holds
   * frames in `ws` while they compress. Turn it on for few clients on slow links. @default false
   */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /**
   * A throttled stream's windows close at the same instant for every subscriber (each multiple of its interval on
   * the clock), and the window's conflated frame is made and encoded once for every subscriber in step. Off, each
   * subscriber has a throttle window of its own and its own frame: kept to measure the difference. @default true
   */
  sharedWindows?: boolean;
}

/** What {@link attachWebSocketStreams} returns. */
export interface WebSocketStreams {
  /** Open connections. */
  readonly connections: number;
  /** Each connection's outbound queue and requests. */
  inspect(): ConnectionStats[];
  /**
   * Frames encoded so far, by stream: each is written to one or more connections, so beside the deliveries it says
   * what a delivery costs in encoding (one encoding per delta or shared window for every subscriber that keeps up).
   */
  encodedFrames(): ReadonlyMap<string, number>;
  /**
   * Graceful shutdown: refuses new connections, sends every client a `close` frame with `server_shutdown`
   * (reconnect elsewhere and resume) and closes it with 1001; connections still open after `deadlineMs` are cut.
   */
  close(deadlineMs?: number): Promise<void>;
}

/**
 * Serves the catalog's streams over plain WebSocket at `path` of `server` (docs/protocol.md, "plain WebSocket"),
 * beside any socket.io server on the same port. The same guarantees as the other bindings, through the same
 * {@link StreamConnection}: requests with ids answered through one gate per connection (limits, strikes, reply
 * backpressure), resume, heartbeats, conflation while the socket cannot take more, and a close notice.
 *
 * A delta is encoded once per encoding for every subscriber that keeps up, and written to each socket as the same
 * buffer. One sweep every `heartbeatMs`, one timer for all connections, pings each, sends it a heartbeat frame and
 * cuts a connection that did not answer the previous ping.
 */
export function attachWebSocketStreams(
  server: HttpServer,
  options: WebSocketStreamsOptions,
): WebSocketStreams {
  const path = options.path ?? '/ws';
  const limits = { ...defaultLimits, ...options.limits };
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics;
  const budgets = options.budgets ?? new IdentityBudgets({ clock });
  const highWaterBytes = options.highWaterBytes ?? 16 * 1024;
  const protobuf = protobufCodec(options.binaryPayload);
  const encoded = new Map<string, number>();
  const counted =
    (encode: (message: ServerMessage) => EncodedFrame) =>
    (message: ServerMessage): EncodedFrame => {
      const stream = 'stream' in message ? message.stream : message.type;
      encoded.set(stream, (encoded.get(stream) ?? 0) + 1);
      return encode(message);
    };
  const encodeJson = encodeOnce(
    counted((message) => new EncodedFrame(Buffer.from(jsonCodec.encode(message)), false)),
  );
  const encodeBinary = encodeOnce(counted((message) => new EncodedFrame(protobuf.encode(message), true)));
  const encode = (message: ServerMessage, binary: boolean) => (binary ? encodeBinary : encodeJson)(message);
  const connections = new Map<WebSocket, Member>();
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: options.maxFrameBytes ?? 64 * 1024,
    perMessageDeflate: options.perMessageDeflate ?? false,
  });
  let closing = false;
  let sweep: TimerHandle | undefined;

  const fanout = new Fanout<Member>(
    (delta, ready) => {
      // One encoding per delta for every subscriber that keeps up: the same buffer goes to each socket.
      let json: EncodedFrame | undefined;
      let binary: EncodedFrame | undefined;
      let bytes = 0;
      for (const member of ready) {
        const frame = member.binary ? (binary ??= encodeBinary(delta)) : (json ??= encodeJson(delta));
        bytes += member.output.send(frame);
      }
      if (metrics !== undefined) {
        const stream = streamKind(delta.stream);
        metrics.messagesOut.inc({ stream, type: 'delta', transport: 'ws' }, ready.length);
        metrics.bytesOut.inc({ stream, transport: 'ws' }, bytes);
      }
    },
    { clock },
  );

  // Liveness: a peer that has not answered the last ping (nor sent anything) since the previous sweep is gone.
  const armSweep = () => {
    sweep = clock.setTimeout(() => {
      sweep = undefined;
      for (const member of connections.values()) {
        if (!member.alive) member.socket.terminate();
        else {
          member.alive = false;
          member.socket.ping();
          member.connection.heartbeat();
        }
      }
      if (connections.size > 0) armSweep();
    }, limits.heartbeatMs);
  };

  // Shared by every connection (ws calls its listeners with the socket as `this`): none holds closures of its own.
  function markAlive(this: WebSocket): void {
    const member = connections.get(this);
    if (member !== undefined) member.alive = true;
  }
  function closed(this: WebSocket): void {
    const member = connections.get(this);
    if (member === undefined) return;
    metrics?.connectedClients.dec({ transport: 'ws' });
    member.connection.dispose();
    connections.delete(this);
  }
  // ws reports a peer's protocol errors (a frame over maxFrameBytes, invalid UTF-8), then closes; nothing to add.
  const ignore = () => undefined;
  const shared = { fanout, encode };

  const accept = (socket: WebSocket, request: IncomingMessage) => {
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
    const output = new WebSocketOutput(socket, request.socket, highWaterBytes);
    const stall =
      options.allowFaultInjection === true ? new InjectedStall(clock, () => output.drained()) : undefined;
    const member = new Member(socket, output, query.get('codec') === 'protobuf', shared, stall);
    const key = options.identity?.(request);
    const requests: BoundRequests[] = [];
    if (stall !== undefined) requests.push(faultRequests.bind(stall));
    if (options.requests !== undefined) requests.push(options.requests.bind({ socket, request }));
    const connection = new StreamConnection(member, {
      catalog: options.catalog,
      limits,
      clock,
      metrics,
      fanout: member,
      requests,
      identity: key === undefined ? undefined : { budgets, key },
      sweptHeartbeat: true,
      alignedWindows: options.sharedWindows ?? true,
    });
    member.connection = connection;
    connections.set(socket, member);
    metrics?.connectedClients.inc({ transport: 'ws' });
    if (sweep === undefined) armSweep();

    serveWebSocketRequests(socket, output, connection);
    socket.on('pong', markAlive);
    socket.on('message', markAlive);
    socket.on('error', ignore);
    socket.on('close', closed);
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (request.url ?? '/').split('?', 1)[0];
    if (pathname !== path) {
      // Another listener's (socket.io's engine.io) — unless there is none, then nobody would answer it.
      if (server.listenerCount('upgrade') === 1) socket.destroy();
      return;
    }
    if (closing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, request));
  });

  return {
    get connections() {
      return connections.size;
    },
    inspect: () =>
      [...connections.values()].map((member) => ({
        ...member.connection.inspect(),
        transportBufferedBytes: member.output.bufferedBytes(),
      })),
    encodedFrames: () => encoded,
    async close(deadlineMs = 5000) {
      closing = true;
      if (sweep !== undefined) clock.clearTimeout(sweep);
      sweep = undefined;
      const members = [...connections.values()];
      const closed = members.map(
        ({ socket }) =>
          new Promise<void>((resolve) => {
            if (socket.readyState === socket.CLOSED) resolve();
            else socket.once('close', () => resolve());
          }),
      );
      for (const { connection } of members) {
        connection.closeWith('server_shutdown', 'the server is shutting down; reconnect and resume', true);
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(closed),
        new Promise((resolve) => (timer = setTimeout(resolve, deadlineMs))),
      ]);
      clearTimeout(timer);
      for (const { socket } of members) socket.terminate();
      wss.close();
    },
  };
}
