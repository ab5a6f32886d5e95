import type { LaneOverflow } from '@twohop/conflation';
import type { StreamMetrics } from '@twohop/metrics';
import { streamKind } from '@twohop/metrics';
import type { ServerMessage } from '@twohop/protocol';
import type { Clock, TimerHandle } from '@twohop/sequence';
import type { ConnectionLimits } from './limits.js';
import type { OutboundTransport } from './OutboundTransport.js';
import type { Subscription, SubscriptionHost } from './Subscription.js';

/**
 * Options for {@link Outbox}: a connection passes its own options (they hold these), so an outbox adds no object of
 * its own to a connection's memory.
 */
export interface OutboxOptions {
  readonly clock: Clock;
  readonly limits: Pick<ConnectionLimits, 'maxStallMs' | 'maxQueuedBytes'>;
  readonly metrics?: StreamMetrics | undefined;
}

/** What an outbox closes when the client reads too slowly: its connection, with `slow_consumer` (reconnect and resume). */
export interface OutboxOwner {
  closeWith(code: 'slow_consumer', message: string, reconnect: true): void;
}

/**
 * One connection's writer. It writes only while the transport can take a frame without queueing it, takes frames
 * from its subscriptions in turn when the transport drains, and watches for a slow consumer: frames waiting with no
 * write progress for `maxStallMs`, or an estimated `maxQueuedBytes` waiting, closes the connection with
 * `slow_consumer` (the client reconnects and resumes).
 */
export class Outbox implements SubscriptionHost {
  readonly #transport: OutboundTransport;
  readonly #options: OutboxOptions;
  readonly #owner: OutboxOwner;
  /** Replaced, never grown in place: arrays sized to what they hold (most connections hold one or two). */
  #subscriptions: readonly Subscription[] = NONE;
  #next = 0;
  /** Whether this outbox listens to the transport's drain: from the first time it waits for one. */
  #listening = false;
  #scheduled = false;
  #closed = false;
  /** When frames last waited with the transport unable to take them; cleared by every write. */
  #stalledSince: number | undefined;
  /** Running estimate of the bytes one queued change costs on the wire. */
  #bytesPerChange = 64;
  #watchdog: TimerHandle | undefined;

  constructor(transport: OutboundTransport, options: OutboxOptions, owner: OutboxOwner) {
    this.#transport = transport;
    this.#options = options;
    this.#owner = owner;
  }

  /** The connection's subscriptions, in the order they were added. */
  get subscriptions(): readonly Subscription[] {
    return this.#subscriptions;
  }

  add(subscription: Subscription): void {
    this.#subscriptions = [...this.#subscriptions, subscription];
  }

  remove(subscription: Subscription): void {
    const left = this.#subscriptions.filter((s) => s !== subscription);
    this.#subscriptions = left.length === 0 ? NONE : left;
  }

  /** The estimated bytes waiting in every subscription's lanes. */
  get queuedBytes(): number {
    let changes = 0;
    for (const subscription of this.#subscriptions) changes += subscription.queuedChanges;
    return changes * this.#bytesPerChange;
  }

  canWriteNow(): boolean {
    return !this.#closed && this.#transport.canWrite();
  }

  writeNow(subscription: Subscription, message: ServerMessage): void {
    this.#write(subscription.stream, message);
  }

  schedule(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    // One pump per turn: a publish that touches many subscriptions or keys costs one pass, not one per change.
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  overflowed(_subscription: Subscription, _overflow: LaneOverflow): void {
    this.#slow('overflow');
  }

  /** Stops the watchdog and writing. */
  close(): void {
    this.#closed = true;
    this.#disarmWatchdog();
  }

  #pump(): void {
    if (this.#closed) return;
    let idle = 0;
    // Round robin over subscriptions, so one busy stream cannot starve the others.
    while (
      this.#subscriptions.length > 0 &&
      idle < this.#subscriptions.length &&
      this.#transport.canWrite()
    ) {
      this.#next %= this.#subscriptions.length;
      const subscription = this.#subscriptions[this.#next++] as Subscription;
      const frame = subscription.take();
      if (frame === undefined) {
        idle++;
        continue;
      }
      idle = 0;
      this.#write(subscription.stream, frame);
    }
    if (!this.#listening && !this.#transport.canWrite()) {
      // Frames may wait for a drain from now on. Listening only from here spares a connection that never waited
      // its own listener; a drain is always a later event than this turn. Deferred to a microtask: engine.io's
      // websocket transport emits `drain` just before it sets `writable`.
      this.#listening = true;
      this.#transport.onDrain(() => this.schedule());
    }
    // Stalled means frames wait because the transport cannot take them (not because a tier's interval holds them).
    // Only then does the watchdog run: a connection that is idle or keeping up costs no timer.
    if (
      this.#stalledSince === undefined &&
      !this.#transport.canWrite() &&
      this.#subscriptions.some((s) => s.hasPending)
    ) {
      this.#stalledSince = this.#options.clock.now();
      this.#armWatchdog();
    }
  }

  #write(stream: string, message: ServerMessage): void {
    const bytes = this.#transport.write(message);
    this.#stalledSince = undefined;
    this.#disarmWatchdog();
    const changes = changesIn(message);
    if (changes > 0) this.#bytesPerChange = 0.9 * this.#bytesPerChange + 0.1 * (bytes / changes);
    const metrics = this.#options.metrics;
    if (metrics !== undefined) {
      const kind = streamKind(stream);
      metrics.messagesOut.inc({ stream: kind, type: message.type, transport: this.#transport.name });
      metrics.bytesOut.inc({ stream: kind, transport: this.#transport.name }, bytes);
    }
  }

  /** Checks a stall every quarter of the limit (at most every second) until a write ends it. */
  #armWatchdog(): void {
    const { clock, limits } = this.#options;
    const { maxStallMs } = limits;
    this.#disarmWatchdog();
    const every = Math.max(10, Math.min(1000, maxStallMs / 4));
    this.#watchdog = clock.setTimeout(() => {
      this.#watchdog = undefined;
      if (this.#closed || this.#stalledSince === undefined) return;
      // Queues grow only while nothing can be written, so both limits are checked during a stall.
      if (clock.now() - this.#stalledSince > maxStallMs) this.#slow('stalled');
      else if (this.queuedBytes > limits.maxQueuedBytes) this.#slow('queued_bytes');
      else this.#armWatchdog();
    }, every);
  }

  #disarmWatchdog(): void {
    if (this.#watchdog !== undefined) this.#options.clock.clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
  }

  #slow(reason: 'stalled' | 'queued_bytes' | 'overflow'): void {
    if (this.#closed) return;
    this.close();
    this.#options.metrics?.slowConsumerDisconnects.inc({ transport: this.#transport.name, reason });
    this.#owner.closeWith(
      'slow_consumer',
      `the client read too slowly (${reason}); reconnect and resume`,
      true,
    );
  }
}

const NONE: readonly Subscription[] = Object.freeze([]);

/** How many changes a frame carries, for the bytes-per-change estimate. */
function changesIn(message: ServerMessage): number {
  if (message.type === 'delta') return Array.isArray(message.data) ? message.data.length : 1;
  if (message.type === 'batch') return message.items.length;
  return 0;
}
