import { systemClock, type Clock } from '@twohop/sequence';
import { Batcher } from './Batcher.js';
import { ConflatingQueue, type ConflatingQueueOptions, type DrainedBatch } from './ConflatingQueue.js';
import { Throttle } from './Throttle.js';

/** What to do when an unconflated lane exceeds its bound. Never a silent drop. */
export type OverflowPolicy = 'resync' | 'disconnect';

/** Told to the owner, once, when an unconflated lane overflows. */
export interface LaneOverflow {
  readonly lane: 'priority' | 'batched';
  readonly policy: OverflowPolicy;
  /** Items queued in that lane when it overflowed. */
  readonly queued: number;
}

/** One frame taken from the lanes, ready to write. */
export type LaneFrame<K, V, P, B> =
  | { readonly lane: 'priority'; readonly items: P[] }
  | { readonly lane: 'batched'; readonly items: B[] }
  | { readonly lane: 'conflated'; readonly batch: DrainedBatch<K, V> };

/** Options for {@link PriorityLanes}. */
export interface PriorityLanesOptions<V> {
  /** Called whenever a frame may be available to {@link PriorityLanes.take}; the consumer takes when it can write. */
  onReady: () => void;
  /** Called once when an unconflated lane overflows; every lane is then cleared until {@link PriorityLanes.reset}. */
  onOverflow: (overflow: LaneOverflow) => void;
  /** What an overflow asks the owner to do. @default 'resync' */
  overflow?: OverflowPolicy;
  /** The most items the priority lane (never merged, never batched) may hold. @default 1000 */
  priorityCapacity?: number;
  /** The conflated lane: its queue options, and the least time between two conflated frames. */
  conflated?: ConflatingQueueOptions<V> & {
    /** @default 0 (as often as the consumer can take) */
    intervalMs?: number;
    /** Conflated frames at the end of fixed windows of `intervalMs` on the clock (see `Throttle`). @default false */
    aligned?: boolean;
  };
  /** The batched lane (never merged): flush on `maxItems` or `maxDelayMs`; at most `capacity` items waiting. */
  batched?: {
    /** @default 100 */
    maxItems?: number;
    /** @default 50 */
    maxDelayMs?: number;
    /** @default 10000 */
    capacity?: number;
  };
  /** Time source for the interval and batch timers. @default systemClock */
  clock?: Clock;
}

/**
 * Three outbound lanes for one consumer, taken in priority order:
 * 1. **priority** — changes that must never merge (a trade, an alert): FIFO, bounded;
 * 2. **batched** — changes that must not merge but may wait a little (chat messages): batched on size or time;
 * 3. **conflated** — keyed state that may merge (price levels, readings): a {@link ConflatingQueue}, taken at most
 *    once per `intervalMs` (a tier's maximum frequency).
 *
 * The consumer pulls with {@link PriorityLanes.take} whenever it can write (a drained socket), so the lanes are
 * the backpressure buffer. The unconflated lanes are bounded: overflowing one calls `onOverflow` with the policy
 * (resync or disconnect) and clears the lanes, because after a loss the consumer must be resynced anyway.
 */
export class PriorityLanes<K, V, P = unknown, B = unknown> {
  readonly #onReady: () => void;
  readonly #onOverflow: (overflow: LaneOverflow) => void;
  readonly #policy: OverflowPolicy;
  readonly #priorityCapacity: number;
  readonly #batchedCapacity: number;
  readonly #conflated: ConflatingQueue<K, V>;
  readonly #conflatedThrottle: Throttle;
  readonly #batcher: Batcher<B>;
  #priority: P[] = [];
  #batches: B[][] = [];
  #batchedQueued = 0;
  #conflatedDue = false;
  #overflowed = false;

  constructor(options: PriorityLanesOptions<V>) {
    const clock = options.clock ?? systemClock;
    this.#onReady = options.onReady;
    this.#onOverflow = options.onOverflow;
    this.#policy = options.overflow ?? 'resync';
    this.#priorityCapacity = options.priorityCapacity ?? 1000;
    this.#batchedCapacity = options.batched?.capacity ?? 10_000;
    const { intervalMs = 0, aligned = false, ...queueOptions } = options.conflated ?? {};
    this.#conflated = new ConflatingQueue<K, V>(queueOptions);
    this.#conflatedThrottle = new Throttle({
      intervalMs,
      aligned,
      clock,
      run: () => {
        this.#conflatedDue = true;
        this.#onReady();
      },
    });
    this.#batcher = new Batcher<B>({
      maxItems: options.batched?.maxItems ?? 100,
      maxDelayMs: options.batched?.maxDelayMs ?? 50,
      clock,
      flush: (items) => {
        this.#batches.push(items);
        this.#onReady();
      },
    });
  }

  /** Whether a lane overflowed and the lanes wait for {@link PriorityLanes.reset}. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** The conflated lane's queue, for its size and stats. */
  get conflatedQueue(): ConflatingQueue<K, V> {
    return this.#conflated;
  }

  /** Items waiting in the unconflated lanes (priority, and batched including the open batch). */
  get unconflatedQueued(): number {
    return this.#priority.length + this.#batchedQueued;
  }

  /** Queues a change that must never merge. Returns false when the lanes have overflowed. */
  pushPriority(item: P): boolean {
    if (this.#overflowed) return false;
    if (this.#priority.length >= this.#priorityCapacity) {
      this.#overflow('priority', this.#priority.length);
      return false;
    }
    this.#priority.push(item);
    this.#onReady();
    return true;
  }

  /** Queues a change that must not merge but may be batched. Returns false when the lanes have overflowed. */
  pushBatched(item: B): boolean {
    if (this.#overflowed) return false;
    if (this.#batchedQueued >= this.#batchedCapacity) {
      this.#overflow('batched', this.#batchedQueued);
      return false;
    }
    this.#batchedQueued++;
    this.#batcher.add(item);
    return true;
  }

  /** Queues a keyed change that may merge with a queued change for the same key. */
  pushConflated(key: K, value: V, seq: number): boolean {
    if (this.#overflowed) return false;
    this.#conflated.push(key, value, seq);
    this.#conflatedThrottle.trigger();
    return true;
  }

  /**
   * Makes what the conflated lane holds due now, whatever its interval: for a consumer whose window closed
   * elsewhere (a window shared with other consumers, whose frame this consumer could not take at once).
   */
  releaseConflated(): void {
    if (this.#overflowed || this.#conflated.size === 0) return;
    this.#conflatedDue = true;
    this.#onReady();
  }

  /** Takes the next frame in priority order, or `undefined` when nothing is ready now. */
  take(): LaneFrame<K, V, P, B> | undefined {
    if (this.#priority.length > 0) {
      const items = this.#priority;
      this.#priority = [];
      return { lane: 'priority', items };
    }
    const items = this.#batches.shift();
    if (items !== undefined) {
      this.#batchedQueued -= items.length;
      return { lane: 'batched', items };
    }
    if (this.#conflatedDue) {
      this.#conflatedDue = false;
      const batch = this.#conflated.drain();
      if (batch !== undefined) return { lane: 'conflated', batch };
    }
    return undefined;
  }

  /**
   * Clears the overflow and every lane, and restarts the conflated range after `after` — call it once the
   * consumer has been resynced with a snapshot at `after`.
   */
  reset(after?: number): void {
    this.#clear();
    this.#overflowed = false;
    this.#conflated.reset(after);
  }

  /** Cancels the timers; call when the consumer is gone. */
  dispose(): void {
    this.#clear();
  }

  #overflow(lane: LaneOverflow['lane'], queued: number): void {
    this.#overflowed = true;
    this.#clear();
    this.#onOverflow({ lane, policy: this.#policy, queued });
  }

  #clear(): void {
    this.#priority = [];
    this.#batches = [];
    this.#batchedQueued = 0;
    this.#batcher.clear();
    this.#conflatedThrottle.cancel();
    this.#conflatedDue = false;
    this.#conflated.reset(this.#conflated.lastSeq);
  }
}
