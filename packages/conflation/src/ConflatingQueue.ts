/** Options for {@link ConflatingQueue}. */
export interface ConflatingQueueOptions<V> {
  /**
   * Combines a queued value with a newer one for the same key. Values are keyed state-sets, so the default keeps
   * the newer one; pass a function to merge partial updates (for example `{...older, ...newer}`).
   * @default latest wins
   */
  merge?: (older: V, newer: V) => V;
  /**
   * The seq the consumer already has. The first drained range then starts at `after + 1`, and every later one
   * right after the previous, so ranges stay contiguous by construction.
   * @default the first seq pushed
   */
  after?: number;
  /**
   * Drain order: `first-queued` keeps each key where it first entered (cheapest, fine for independent keys);
   * `last-updated` moves a key to the end on every update (needed when keys nest, as JSON Patch paths do).
   * @default 'first-queued'
   */
  order?: 'first-queued' | 'last-updated';
}

/** One key's pending change, covering the pushes `from..seq` that were merged into it. */
export interface QueuedChange<K, V> {
  readonly key: K;
  value: V;
  /** The seq of the first push merged into this entry. */
  from: number;
  /** The seq of the last push merged into this entry. */
  seq: number;
}

/** What one drain hands over: the latest change per key, and the range of seqs they bring the consumer through. */
export interface DrainedBatch<K, V> {
  /** First seq covered: one after the previous drain (or after `options.after`). */
  readonly from: number;
  /** Last seq covered: the last seq pushed. */
  readonly seq: number;
  readonly changes: QueuedChange<K, V>[];
}

/** Counters for metrics and tests. */
export interface ConflationStats {
  /** Every push. */
  pushed: number;
  /** Pushes that merged into an entry already queued. */
  merged: number;
  /** Entries handed over by drains. */
  drained: number;
  /** Non-empty drains. */
  drains: number;
  /** The most entries ever queued at once. */
  highWater: number;
}

/**
 * A per-consumer outbound queue that merges changes by key: a new change for a key already queued replaces (or
 * merges into) it, so memory is bounded by the number of distinct keys, never by the number of updates. A drain
 * hands over one batch covering `from..seq`, which a replica applies as a conflated delta (protocol rule 3).
 *
 * Push seqs must not go backwards; several keys may share one seq (one delta touching several keys).
 */
export class ConflatingQueue<K, V> {
  readonly #entries = new Map<K, QueuedChange<K, V>>();
  readonly #merge: ((older: V, newer: V) => V) | undefined;
  readonly #moveOnUpdate: boolean;
  #drainedThrough: number | undefined;
  #firstPushed: number | undefined;
  #lastPushed: number | undefined;
  readonly #stats: ConflationStats = { pushed: 0, merged: 0, drained: 0, drains: 0, highWater: 0 };

  constructor(options: ConflatingQueueOptions<V> = {}) {
    this.#merge = options.merge;
    this.#moveOnUpdate = options.order === 'last-updated';
    this.#drainedThrough = options.after;
  }

  /** Distinct keys queued. */
  get size(): number {
    return this.#entries.size;
  }

  /** The last seq pushed, if any. */
  get lastSeq(): number | undefined {
    return this.#lastPushed;
  }

  /** A copy of the counters. */
  get stats(): ConflationStats {
    return { ...this.#stats };
  }

  /** Queues `value` for `key` as the change numbered `seq`, merging with what is queued for `key`. */
  push(key: K, value: V, seq: number): void {
    if (this.#lastPushed !== undefined && seq < this.#lastPushed) {
      throw new RangeError(`seq ${seq} pushed after ${this.#lastPushed}: pushes must not go backwards`);
    }
    this.#lastPushed = seq;
    this.#firstPushed ??= seq;
    this.#stats.pushed++;
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.#entries.set(key, { key, value, from: seq, seq });
      if (this.#entries.size > this.#stats.highWater) this.#stats.highWater = this.#entries.size;
      return;
    }
    this.#stats.merged++;
    entry.value = this.#merge === undefined ? value : this.#merge(entry.value, value);
    entry.seq = seq;
    if (this.#moveOnUpdate) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
  }

  /** Hands over everything queued as one batch, or `undefined` when nothing is queued. */
  drain(): DrainedBatch<K, V> | undefined {
    if (this.#entries.size === 0 || this.#lastPushed === undefined || this.#firstPushed === undefined) {
      return undefined;
    }
    const from = this.#drainedThrough === undefined ? this.#firstPushed : this.#drainedThrough + 1;
    const batch: DrainedBatch<K, V> = { from, seq: this.#lastPushed, changes: [...this.#entries.values()] };
    this.#drainedThrough = this.#lastPushed;
    this.#firstPushed = undefined;
    this.#entries.clear();
    this.#stats.drained += batch.changes.length;
    this.#stats.drains++;
    return batch;
  }

  /**
   * Forgets everything queued and restarts the range after `after` — for when the consumer is resynced with a
   * snapshot at that seq and what was queued is no longer needed.
   */
  reset(after?: number): void {
    this.#entries.clear();
    this.#drainedThrough = after;
    this.#firstPushed = undefined;
    this.#lastPushed = after;
  }
}
