import type { CloseNotice } from '@twohop/protocol';
import { systemClock, type Clock } from '@twohop/sequence';
import type { Namespace, Server, Socket } from 'socket.io';
import { IdentityBudgets } from './IdentityBudgets.js';
import { defaultLimits, type ConnectionLimits } from './limits.js';
import {
  RequestGate,
  type RequestGateOptions,
  type RequestGateStats,
  type ReplyTransport,
} from './RequestGate.js';
import type { RequestRouter } from './RequestRouter.js';
import { bufferedBytes, onTransportDrain } from './socketIoOutput.js';

/** The socket.io event a server sends just before a deliberate close, carrying a `CloseNotice`. */
export const CLOSE_NOTICE_EVENT = 'close-notice';

/** Tells the client why (a `close-notice` event), then disconnects; a stalled client is not waited for. */
export function closeSocket(socket: Socket, notice: CloseNotice): void {
  socket.emit(CLOSE_NOTICE_EVENT, notice);
  socket.disconnect(true);
  // A stalled client never drains the notice; do not wait for it.
  const force = setTimeout(() => socket.conn.close(true), 1000);
  force.unref();
}

/** A socket.io connection as a {@link RequestGate} sees it: its unflushed bytes, its drains, and its close. */
export function socketIoReplyTransport(socket: Socket): ReplyTransport {
  return {
    bufferedBytes: () => bufferedBytes(socket),
    onDrain: (listener) => onTransportDrain(socket, listener),
    close: (notice) => closeSocket(socket, notice),
  };
}

/**
 * Feeds every event `socket` receives into `gate`: `socket.emit(name, payload, ack)` becomes a request whose reply
 * goes to `ack`. No payload is `{}`; more than one argument is refused by the schema.
 */
export function serveSocketIoRequests(socket: Socket, gate: Pick<RequestGate, 'receive' | 'close'>): void {
  socket.onAny((event: unknown, ...args: unknown[]) => {
    const ack = typeof args.at(-1) === 'function' ? (args.pop() as (reply: unknown) => void) : undefined;
    gate.receive(event, args.length <= 1 ? args[0] : args, ack);
  });
  socket.on('disconnect', () => gate.close());
}

/** Options for {@link attachSocketIoRequests}. */
export interface SocketIoRequestsOptions<Context> {
  /** The requests served. */
  router: RequestRouter<Context>;
  /** Each connection's context, given to every handler (its user, its socket, what it has joined). */
  context(socket: Socket): Context;
  /** The identity whose budget a connection shares with its other connections (a user id), if any. */
  identity?: ((socket: Socket) => string | undefined) | undefined;
  /** The identities' budgets (used with `identity`). @default `new IdentityBudgets()`: 40/s, burst 80 */
  budgets?: IdentityBudgets | undefined;
  limits?: Partial<ConnectionLimits> | undefined;
  clock?: Clock | undefined;
  metrics?: RequestGateOptions['metrics'];
  onInternalError?: RequestGateOptions['onInternalError'];
  /** Hears each connection the gate closes (`protocol_abuse`, `slow_consumer`) with its last counters, e.g. to log it. */
  onClose?: ((socket: Socket, notice: CloseNotice, stats: RequestGateStats) => void) | undefined;
}

/** What {@link attachSocketIoRequests} returns. */
export interface SocketIoRequests {
  /** Each open connection's request counters. */
  inspect(): RequestGateStats[];
}

/**
 * Serves an app's requests on every connection of a socket.io server or namespace, each through its own
 * {@link RequestGate} (limits in docs/protocol.md, "Requests"). For a connection that also carries streams, pass the
 * router to `attachSocketIoStreams` instead, so one gate holds all of the connection's limits.
 */
export function attachSocketIoRequests<Context>(
  target: Server | Namespace,
  options: SocketIoRequestsOptions<Context>,
): SocketIoRequests {
  const limits = { ...defaultLimits, ...options.limits };
  const clock = options.clock ?? systemClock;
  const budgets = options.budgets ?? new IdentityBudgets({ clock });
  const gates = new Map<Socket, RequestGate>();
  target.on('connection', (socket: Socket) => {
    const key = options.identity?.(socket);
    const transport = socketIoReplyTransport(socket);
    const gate = new RequestGate({
      requests: [options.router.bind(options.context(socket))],
      transport: {
        ...transport,
        close(notice) {
          options.onClose?.(socket, notice, gate.stats());
          transport.close(notice);
        },
      },
      limits,
      clock,
      identity: key === undefined ? undefined : { budgets, key },
      metrics: options.metrics,
      onInternalError: options.onInternalError,
    });
    gates.set(socket, gate);
    socket.on('disconnect', () => gates.delete(socket));
    serveSocketIoRequests(socket, gate);
  });
  return { inspect: () => [...gates.values()].map((gate) => gate.stats()) };
}
