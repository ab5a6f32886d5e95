import type { StreamMetrics } from '@twohop/metrics';
import {
  ProtocolError,
  clientRequests,
  describeIssues,
  isClientEvent,
  type Ack,
  type ErrorAck,
  type ErrorCode,
  type SubscribeAck,
  type SubscribeRequest,
} from '@twohop/protocol';
import type { Clock, TimerHandle } from '@twohop/sequence';
import { TokenBucket, type ConnectionLimits } from './limits.js';
import type { OutboundTransport } from './OutboundTransport.js';
import { Outbox } from './Outbox.js';
import type { StreamCatalog } from './StreamCatalog.js';
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
}

/** Options for {@link StreamConnection}. */
export interface StreamConnectionOptions {
  catalog: StreamCatalog;
  limits: ConnectionLimits;
  clock: Clock;
  metrics?: StreamMetrics | undefined;
  /** Drives this connection's subscriptions from a shared {@link Fanout} (socket.io) instead of one by one. */
  fanout?: { add(subscription: Subscription): void; remove(subscription: Subscription): void };
}

/**
 * One client connection, whatever the transport: it validates and answers the client's requests (subscribe,
 * unsubscribe, resync) under the connection's limits, owns the subscriptions and their {@link Outbox}, and sends
 * heartbeats. Transport bindings feed it requests and give it an {@link OutboundTransport}.
 *
 * Every bad request (malformed, oversized, over the rate, unknown event or stream) is answered with an error ack
 * and counts as a strike; past `maxStrikes` the connection is closed with `protocol_abuse`. Nothing a client sends
 * can throw out of here.
 */
export class StreamConnection {
  readonly outbox: Outbox;
  readonly #transport: OutboundTransport;
  readonly #options: StreamConnectionOptions;
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #bucket: TokenBucket;
  #strikes = 0;
  #heartbeat: TimerHandle | undefined;
  #closed = false;

  constructor(transport: OutboundTransport, options: StreamConnectionOptions) {
    this.#transport = transport;
    this.#options = options;
    const { limits, clock } = options;
    this.#bucket = new TokenBucket(limits.ratePerSecond, limits.rateBurst, clock);
    this.outbox = new Outbox(transport, {
      clock,
      maxStallMs: limits.maxStallMs,
      maxQueuedBytes: limits.maxQueuedBytes,
      metrics: options.metrics,
      onSlowConsumer: (reason) =>
        this.#closeWith(
          'slow_consumer',
          `the client read too slowly (${reason}); reconnect and resume`,
          true,
        ),
    });
    this.#armHeartbeat();
  }

  /** What waits to be sent, for metrics, tests and scenario reports. */
  inspect(): ConnectionStats {
    let queuedChanges = 0;
    for (const subscription of this.#subscriptions.values()) queuedChanges += subscription.queuedChanges;
    return { streams: this.streams, queuedChanges, queuedBytes: this.outbox.queuedBytes };
  }

  /** The streams this connection is subscribed to. */
  get streams(): string[] {
    return [...this.#subscriptions.keys()];
  }

  /** Handles one client request. Never throws: failures become error acks. */
  request(event: unknown, payload: unknown): SubscribeAck | Ack {
    if (this.#closed) return errorAck('internal', 'connection closed');
    try {
      if (!this.#bucket.take()) return this.#reject('rate_limited', 'too many messages; slow down');
      if (!isClientEvent(event)) return this.#reject('invalid_message', `unknown event ${describe(event)}`);
      if (jsonSize(payload) > this.#options.limits.maxPayloadBytes) {
        return this.#reject(
          'payload_too_large',
          `messages are limited to ${this.#options.limits.maxPayloadBytes} bytes`,
        );
      }
      const parsed = clientRequests[event].safeParse(payload);
      if (!parsed.success) return this.#reject('invalid_message', describeIssues(parsed.error));
      switch (event) {
        case 'subscribe': {
          const { stream, resume } = parsed.data as SubscribeRequest;
          return { ok: true, recovered: this.#subscribe(stream, resume) };
        }
        case 'unsubscribe':
          this.#drop(this.#subscriptionOf(parsed.data.stream));
          return { ok: true };
        case 'resync':
          this.#subscriptionOf(parsed.data.stream).resync();
          return { ok: true };
      }
    } catch (error) {
      if (error instanceof ProtocolError) return this.#reject(error.code, error.message);
      return this.#reject('internal', 'the request failed inside the server');
    }
  }

  /** Closes with a notice to the client (a shutdown, a slow consumer, abuse). */
  closeWith(code: ErrorCode, message: string, reconnect: boolean): void {
    this.#closeWith(code, message, reconnect);
  }

  /** Releases everything; call when the transport has closed. */
  dispose(): void {
    this.#closed = true;
    this.outbox.close();
    if (this.#heartbeat !== undefined) this.#options.clock.clearTimeout(this.#heartbeat);
    for (const subscription of [...this.#subscriptions.values()]) this.#drop(subscription);
  }

  #subscribe(stream: string, resume: { epoch: string; seq: number } | undefined): boolean {
    const entry = this.#options.catalog.get(stream);
    if (entry === undefined) throw new ProtocolError('unknown_stream', `no stream named ${stream}`);
    const existing = this.#subscriptions.get(stream);
    if (existing !== undefined) {
      // Subscribing again restarts the stream from the given position: a client that lost track can always do it.
      this.#drop(existing);
    } else if (this.#subscriptions.size >= this.#options.limits.maxSubscriptions) {
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
    });
    this.#subscriptions.set(stream, subscription);
    this.outbox.add(subscription);
    this.#options.fanout?.add(subscription);
    return subscription.start(resume);
  }

  #drop(subscription: Subscription): void {
    this.#options.fanout?.remove(subscription);
    subscription.close();
    this.outbox.remove(subscription);
    this.#subscriptions.delete(subscription.stream);
  }

  #subscriptionOf(stream: string): Subscription {
    const subscription = this.#subscriptions.get(stream);
    if (subscription === undefined) throw new ProtocolError('not_subscribed', `not subscribed to ${stream}`);
    return subscription;
  }

  #reject(code: ErrorCode, message: string): ErrorAck {
    this.#options.metrics?.rejectedRequests.inc({ code });
    if (++this.#strikes > this.#options.limits.maxStrikes) {
      queueMicrotask(() => this.#closeWith('protocol_abuse', 'too many bad messages', false));
    }
    return errorAck(code, message);
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
      // A stalled transport gets no heartbeat: its client should notice the silence and reconnect.
      if (this.#transport.canWrite()) this.#transport.write({ type: 'heartbeat', ts: Date.now() });
      this.#armHeartbeat();
    }, limits.heartbeatMs);
  }
}

export function errorAck(code: ErrorCode, message: string): ErrorAck {
  return { ok: false, error: { code, message } };
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
}

/** The size of `value` as JSON, or Infinity when it cannot be encoded (a cycle, a BigInt). */
function jsonSize(value: unknown): number {
  try {
    // Bytes of UTF-8, not characters: the limit bounds what a message costs, and a character may take four bytes.
    return Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
