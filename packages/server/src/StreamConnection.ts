import type { StreamMetrics } from '@twohop/metrics';
import {
  ProtocolError,
  resyncRequest,
  subscribeRequest,
  unsubscribeRequest,
  type CloseNotice,
  type ErrorAck,
  type ErrorCode,
  type ResumePosition,
} from '@twohop/protocol';
import type { Clock, TimerHandle } from '@twohop/sequence';
import type { IdentityBudgets } from './IdentityBudgets.js';
import type { ConnectionLimits } from './limits.js';
import type { OutboundTransport } from './OutboundTransport.js';
import { Outbox } from './Outbox.js';
import {
  RequestGate,
  type ReplyCallback,
  type ReplyTransport,
  type RequestGateStats,
} from './RequestGate.js';
import { RequestRouter, type BoundRequests } from './RequestRouter.js';
import type { CatalogEntry, StreamCatalog } from './StreamCatalog.js';
import { Subscription } from './Subscription.js';

/** A connection's outbound queue, as {@link StreamConnection.inspect} reports it. */
export interface ConnectionStats {
  readonly streams: string[];
  /** Changes waiting in the subscriptions' lanes (merged by key for conflated streams). */
  readonly queuedChanges: number;
  /** The estimated bytes those changes will take on the wire. */
  readonly queuedBytes: number;
  /** Packets in engine.io's own write buffer (socket.io only). */
  readonly transportBuffered?: number;
  /** Bytes handed to the socket and not yet flushed to the network (plain WebSocket: its `bufferedAmount`). */
  readonly transportBufferedBytes?: number;
  /** The connection's requests: handled, refused, waiting. */
  readonly requests: RequestGateStats;
}

/** Options for {@link StreamConnection}. */
export interface StreamConnectionOptions {
  catalog: StreamCatalog;
  limits: ConnectionLimits;
  clock: Clock;
  metrics?: StreamMetrics | undefined;
  /** Drives this connection's subscriptions from a shared {@link Fanout} (socket.io) instead of one by one. */
  fanout?: { add(subscription: Subscription): void; remove(subscription: Subscription): void };
  /** The app's own requests on this connection, served beside subscribe/unsubscribe/resync under the same limits. */
  requests?: readonly BoundRequests[];
  /** The identity's budget, shared with its other connections. */
  identity?: { budgets: IdentityBudgets; key: string } | undefined;
  /**
   * The binding calls {@link StreamConnection.heartbeat} every `heartbeatMs` from one sweep over all its connections,
   * instead of each connection keeping a timer of its own. @default false
   */
  sweptHeartbeat?: boolean;
  /**
   * Throttled streams send at the end of fixed windows of their interval, the same instant for every subscriber, so
   * the `fanout` can make one frame per window for all that keep up. @default false
   */
  alignedWindows?: boolean;
}

/**
 * One client connection, whatever the transport: it answers the client's requests (subscribe, unsubscribe, resync,
 * and the app's own) through a {@link RequestGate} — the connection's limits, strikes and reply backpressure —
 * owns the subscriptions and their {@link Outbox}, and sends heartbeats. Transport bindings feed it requests and
 * give it an {@link OutboundTransport}. Nothing a client sends can throw out of here.
 */
export class StreamConnection {
  /**
   * The stream protocol's requests (docs/protocol.md, "Messages"), served through the same gate as an app's own.
   * One router for every connection, bound to each (no per-connection copy of the table or its handlers).
   */
  static readonly #streamRequests = new RequestRouter<StreamConnection>()
    .add('subscribe', {
      schema: subscribeRequest,
      handle: ({ stream, resume }, connection) => {
        const recovered = connection.#subscribe(stream, resume);
        return typeof recovered === 'boolean'
          ? { recovered }
          : recovered.then((done) => ({ recovered: done }));
      },
    })
    .add('unsubscribe', {
      schema: unsubscribeRequest,
      handle: ({ stream }, connection) => (connection.#drop(connection.#subscriptionOf(stream)), {}),
    })
    .add('resync', {
      schema: resyncRequest,
      handle: ({ stream }, connection) => (connection.#subscriptionOf(stream).resync(), {}),
    });

  readonly outbox: Outbox;
  readonly #transport: OutboundTransport;
  readonly #options: StreamConnectionOptions;
  readonly #gate: RequestGate;
  #heartbeat: TimerHandle | undefined;
  #closed = false;

  constructor(transport: OutboundTransport, options: StreamConnectionOptions) {
    this.#transport = transport;
    this.#options = options;
    const { limits, clock } = options;
    this.outbox = new Outbox(transport, options, this);
    const streamRequests = StreamConnection.#streamRequests.bind(this);
    this.#gate = new RequestGate({
      requests: options.requests === undefined ? [streamRequests] : [streamRequests, ...options.requests],
      transport: new GateTransport(transport, this),
      limits,
      clock,
      identity: options.identity,
      metrics: options.metrics,
    });
    if (options.sweptHeartbeat !== true) this.#armHeartbeat();
  }

  /** What waits to be sent, for metrics, tests and scenario reports. */
  inspect(): ConnectionStats {
    let queuedChanges = 0;
    for (const subscription of this.outbox.subscriptions) queuedChanges += subscription.queuedChanges;
    return {
      streams: this.streams,
      queuedChanges,
      queuedBytes: this.outbox.queuedBytes,
      requests: this.#gate.stats(),
    };
  }

  /** The streams this connection is subscribed to. */
  get streams(): string[] {
    return this.outbox.subscriptions.map((subscription) => subscription.stream);
  }

  /**
   * Takes one client request (`subscribe`, `unsubscribe`, `resync` or one of the app's); `reply` gets its ack once.
   * Never throws: failures become error acks.
   */
  receive(event: unknown, payload: unknown, reply?: ReplyCallback): void {
    this.#gate.receive(event, payload, reply);
  }

  /** Refuses a frame that is not a request at all (see {@link RequestGate.refuse}): a strike like any refusal. */
  refuse(code: 'invalid_message' | 'payload_too_large', message: string, reply?: ReplyCallback): void {
    this.#gate.refuse(code, message, reply);
  }

  /** Sends a heartbeat now, unless the transport is stalled (its client should notice the silence and reconnect). */
  heartbeat(): void {
    if (!this.#closed && this.#transport.canWrite())
      this.#transport.write({ type: 'heartbeat', ts: Date.now() });
  }

  /** Closes with a notice to the client (a shutdown, a slow consumer, abuse). */
  closeWith(code: ErrorCode, message: string, reconnect: boolean): void {
    this.#closeWith(code, message, reconnect);
  }

  /** Releases everything; call when the transport has closed. */
  dispose(): void {
    this.#closed = true;
    this.#gate.close();
    this.outbox.close();
    if (this.#heartbeat !== undefined) this.#options.clock.clearTimeout(this.#heartbeat);
    for (const subscription of this.outbox.subscriptions) this.#drop(subscription);
  }

  /**
   * Subscribes now — or, when the stream follows an upstream that has not yet reached `resume` (the client saw it
   * on a node ahead of this one), once it has or `resumeWaitMs` has passed: a replay rather than an older snapshot.
   */
  #subscribe(stream: string, resume: ResumePosition | undefined): boolean | Promise<boolean> {
    const entry = this.#options.catalog.get(stream);
    if (entry === undefined) throw new ProtocolError('unknown_stream', `no stream named ${stream}`);
    const { resumeWaitMs } = this.#options.limits;
    const behind = resume === undefined ? undefined : entry.source.reach?.(resume, resumeWaitMs);
    if (behind === undefined) return this.#subscribeNow(stream, entry, resume);
    return behind.then(() => {
      if (this.#closed)
        throw new ProtocolError('internal', 'the connection closed while the subscribe waited');
      return this.#subscribeNow(stream, entry, resume);
    });
  }

  #subscribeNow(stream: string, entry: CatalogEntry, resume: ResumePosition | undefined): boolean {
    const existing = this.#find(stream);
    if (existing !== undefined) {
      // Subscribing again restarts the stream from the given position: a client that lost track can always do it.
      this.#drop(existing);
    } else if (this.outbox.subscriptions.length >= this.#options.limits.maxSubscriptions) {
      throw new ProtocolError(
        'too_many_subscriptions',
        `at most ${this.#options.limits.maxSubscriptions} subscriptions`,
      );
    }
    const subscription = new Subscription(stream, entry, this.outbox, {
      clock: this.#options.clock,
      priorityCapacity: this.#options.limits.priorityCapacity,
      metrics: this.#options.metrics,
      driven: this.#options.fanout !== undefined,
      aligned: this.#options.alignedWindows === true,
    });
    this.outbox.add(subscription);
    this.#options.fanout?.add(subscription);
    return subscription.start(resume);
  }

  #drop(subscription: Subscription): void {
    this.#options.fanout?.remove(subscription);
    subscription.close();
    this.outbox.remove(subscription);
  }

  /**
   * The subscription to `stream`, if any. The outbox's list is the one list of them: a few per connection, at most
   * `maxSubscriptions`, so a scan costs less than a map's table would in every idle connection's memory.
   */
  #find(stream: string): Subscription | undefined {
    for (const subscription of this.outbox.subscriptions)
      if (subscription.stream === stream) return subscription;
    return undefined;
  }

  #subscriptionOf(stream: string): Subscription {
    const subscription = this.#find(stream);
    if (subscription === undefined) throw new ProtocolError('not_subscribed', `not subscribed to ${stream}`);
    return subscription;
  }

  #closeWith(code: ErrorCode, message: string, reconnect: boolean): void {
    if (this.#closed) return;
    this.dispose();
    this.#transport.close({ error: { code, message }, reconnect });
  }

  #armHeartbeat(): void {
    const { clock, limits } = this.#options;
    this.#heartbeat = clock.setTimeout(() => {
      if (this.#closed) return;
      this.heartbeat();
      this.#armHeartbeat();
    }, limits.heartbeatMs);
  }
}

/** The gate's view of a connection: its transport's buffer, and closing through the connection (which disposes it). */
class GateTransport implements ReplyTransport {
  readonly #transport: OutboundTransport;
  readonly #connection: StreamConnection;

  constructor(transport: OutboundTransport, connection: StreamConnection) {
    this.#transport = transport;
    this.#connection = connection;
  }

  bufferedBytes(): number {
    return this.#transport.bufferedBytes();
  }

  onDrain(listener: () => void): void {
    this.#transport.onDrain(listener);
  }

  close({ error, reconnect }: CloseNotice): void {
    this.#connection.closeWith(error.code, error.message, reconnect);
  }
}

export function errorAck(code: ErrorCode, message: string): ErrorAck {
  return { ok: false, error: { code, message } };
}
