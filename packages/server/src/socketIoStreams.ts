import { streamKind, type StreamMetrics } from '@twohop/metrics';
import {
  jsonCodec,
  protobufCodec,
  type Codec,
  type DeltaMessage,
  type PayloadResolver,
} from '@twohop/protocol';
import { systemClock, type Clock } from '@twohop/sequence';
import type { Namespace, Server, Socket } from 'socket.io';
import { encodeOnce } from './encodeOnce.js';
import { Fanout } from './Fanout.js';
import { faultRequests, InjectedStall } from './faultInjection.js';
import { IdentityBudgets } from './IdentityBudgets.js';
import { defaultLimits, type ConnectionLimits } from './limits.js';
import type { OutboundTransport } from './OutboundTransport.js';
import type { RequestRouter } from './RequestRouter.js';
import { CLOSE_NOTICE_EVENT, closeSocket, serveSocketIoRequests } from './socketIoRequests.js';
import { bufferedBytes, onTransportDrain, writeBufferLength } from './socketIoOutput.js';
import type { StreamCatalog } from './StreamCatalog.js';
import { StreamConnection, type ConnectionStats } from './StreamConnection.js';

/** Socket.io event names of the stream protocol (docs/protocol.md, "socket.io"). */
export const SOCKET_EVENTS = {
  /** Server → client frames: a JSON text or, on the binary tier, protobuf bytes. */
  message: 'm',
  /** Server → client, just before a deliberate close: a `CloseNotice`. */
  closeNotice: CLOSE_NOTICE_EVENT,
} as const;

/** Options for {@link attachSocketIoStreams}. */
export interface SocketIoStreamsOptions {
  catalog: StreamCatalog;
  limits?: Partial<ConnectionLimits>;
  metrics?: StreamMetrics;
  clock?: Clock;
  /**
   * Lets clients send `fault {kind: 'stall', ms}`: the connection then reports itself unwritable for `ms` (at most
   * 10 s), so a demo can show the server conflating for a slow client and the client catching up. A request like
   * any other: strict schema, cost {@link FAULT_COST}, refusals counted. Off in production. @default false
   */
  allowFaultInjection?: boolean;
  /**
   * The app's own requests on the same connections (bids, commands), served beside subscribe/unsubscribe/resync
   * through one gate per connection, so one set of limits and strikes covers everything a client sends. Handlers
   * get the socket.
   */
  requests?: RequestRouter<Socket>;
  /** The identity whose budget a connection shares with its other connections (a user id), if any. */
  identity?: (socket: Socket) => string | undefined;
  /** The identities' budgets (used with `identity`). @default `new IdentityBudgets()`: 40/s, burst 80 */
  budgets?: IdentityBudgets;
  /** Binary payloads per stream for clients on `?codec=protobuf` (JSON bytes for streams it leaves out). */
  binaryPayload?: PayloadResolver;
  /**
   * A throttled stream's windows close at the same instant for every subscriber (each multiple of its interval on
   * the clock), and the window's conflated frame is made and encoded once for every subscriber in step. Off, each
   * subscriber has a throttle window of its own and its own frame: kept to measure the difference. @default true
   */
  sharedWindows?: boolean;
}

/** What {@link attachSocketIoStreams} returns. */
export interface SocketIoStreams {
  /** Open connections. */
  readonly connections: number;
  /** Each connection's outbound queue, including engine.io's write buffer. */
  inspect(): ConnectionStats[];
  /**
   * Graceful shutdown: tells every client `server_shutdown` (reconnect elsewhere and resume), then closes, within
   * `deadlineMs`.
   */
  close(deadlineMs?: number): Promise<void>;
}

/** A socket as the fan-out addresses it. */
interface Member {
  readonly socket: Socket;
  readonly binary: boolean;
}

/**
 * Serves the catalog's streams on a socket.io server or namespace. Clients send `subscribe` / `unsubscribe` /
 * `resync` with an acknowledgement callback; frames go out as event `m` — JSON text by default, protobuf bytes when
 * the client connects with `?codec=protobuf`.
 *
 * socket.io has no backpressure of its own: `emit` appends to engine.io's per-socket write buffer whatever the
 * client reads. This binding writes only while `socket.conn.transport.writable` and that buffer is empty, and
 * otherwise lets each subscription conflate until engine.io emits `drain`.
 */
export function attachSocketIoStreams(
  target: Server | Namespace,
  options: SocketIoStreamsOptions,
): SocketIoStreams {
  const protobuf = protobufCodec(options.binaryPayload);
  const limits = { ...defaultLimits, ...options.limits };
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics;
  const budgets = options.budgets ?? new IdentityBudgets({ clock });
  const connections = new Map<Socket, StreamConnection>();
  const encodeJson = encodeOnce(jsonCodec.encode);

  // Deltas to every subscriber that keeps up go out in one broadcast per encoding: socket.io encodes the packet,
  // and frames the websocket message, once for all of them. Each stream's subscribers share a room per encoding,
  // so the usual case — everyone keeps up — is one `to(room).emit`, and otherwise `except` names the few behind.
  const roomOf = (stream: string, binary: boolean) => `twohop${binary ? '-binary' : ''}:${stream}`;
  const emitTo = (delta: DeltaMessage<unknown>, binary: boolean, ready: Member[], held: Member[]): number => {
    const readyHere = ready.filter((member) => member.binary === binary);
    if (readyHere.length === 0) return 0;
    const heldHere = held.filter((member) => member.binary === binary).map((member) => member.socket.id);
    const payload = binary ? protobuf.encode(delta) : encodeJson(delta);
    const room = target.to(roomOf(delta.stream, binary));
    (heldHere.length === 0 ? room : room.except(heldHere)).emit(SOCKET_EVENTS.message, payload);
    return (typeof payload === 'string' ? payload.length : payload.byteLength) * readyHere.length;
  };
  const fanout = new Fanout<Member>(
    (delta, ready, held) => {
      const bytes = emitTo(delta, false, ready, held) + emitTo(delta, true, ready, held);
      if (metrics !== undefined) {
        const stream = streamKind(delta.stream);
        metrics.messagesOut.inc({ stream, type: 'delta', transport: 'socket.io' }, ready.length);
        metrics.bytesOut.inc({ stream, transport: 'socket.io' }, bytes);
      }
    },
    { clock },
  );

  target.on('connection', (socket: Socket) => {
    const codec: Codec<unknown> | undefined =
      socket.handshake.query['codec'] === 'protobuf' ? protobuf : undefined;
    metrics?.connectedClients.inc({ transport: 'socket.io' });
    const transport: OutboundTransport = {
      name: 'socket.io',
      canWrite: () =>
        socket.connected &&
        socket.conn.transport.writable &&
        writeBufferLength(socket) === 0 &&
        !stall.active,
      write(message) {
        if (codec !== undefined) {
          const bytes = codec.encode(message) as Uint8Array;
          socket.emit(SOCKET_EVENTS.message, bytes);
          return bytes.byteLength;
        }
        const text = encodeJson(message);
        socket.emit(SOCKET_EVENTS.message, text);
        return text.length;
      },
      bufferedBytes: () => bufferedBytes(socket),
      onDrain(listener) {
        drainListeners.push(listener);
        onTransportDrain(socket, listener);
      },
      close: (notice) => closeSocket(socket, notice),
    };
    const member = { socket, binary: codec !== undefined };
    const drainListeners: (() => void)[] = [];
    const stall = new InjectedStall(clock, () => {
      for (const listener of drainListeners) listener();
    });
    const key = options.identity?.(socket);
    const connection = new StreamConnection(transport, {
      catalog: options.catalog,
      limits,
      clock,
      alignedWindows: options.sharedWindows ?? true,
      metrics,
      fanout: {
        add(subscription) {
          void socket.join(roomOf(subscription.stream, member.binary));
          fanout.add(subscription, member);
        },
        remove(subscription) {
          void socket.leave(roomOf(subscription.stream, member.binary));
          fanout.remove(subscription);
        },
      },
      requests: [
        ...(options.allowFaultInjection === true ? [faultRequests.bind(stall)] : []),
        ...(options.requests === undefined ? [] : [options.requests.bind(socket)]),
      ],
      identity: key === undefined ? undefined : { budgets, key },
    });
    connections.set(socket, connection);

    serveSocketIoRequests(socket, {
      receive: (event, payload, reply) => connection.receive(event, payload, reply),
      close: () => connection.dispose(),
    });
    socket.on('disconnect', () => {
      metrics?.connectedClients.dec({ transport: 'socket.io' });
      connection.dispose();
      connections.delete(socket);
    });
  });

  return {
    get connections() {
      return connections.size;
    },
    inspect: () =>
      [...connections].map(([socket, connection]) => ({
        ...connection.inspect(),
        transportBuffered: writeBufferLength(socket),
      })),
    async close(deadlineMs = 5000) {
      const sockets = [...connections.keys()];
      for (const [, connection] of connections) {
        connection.closeWith('server_shutdown', 'the server is shutting down; reconnect and resume', true);
      }
      const deadline = Date.now() + deadlineMs;
      while (sockets.some((socket) => socket.connected) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (const socket of sockets) if (socket.connected) socket.conn.close(true);
    },
  };
}
