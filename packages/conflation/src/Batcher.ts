import { systemClock, type Clock, type TimerHandle } from '@twohop/sequence';

/** Options for {@link Batcher}. */
export interface BatcherOptions<T> {
  /** Flush as soon as this many items are waiting. */
  maxItems: number;
  /** Flush at the latest this long after the first item of a batch arrived. */
  maxDelayMs: number;
  /** Receives each non-empty batch, in arrival order. */
  flush: (items: T[]) => void;
  /** Time source. @default systemClock */
  clock?: Clock;
}

/**
 * Collects items into batches and flushes on `maxItems` or `maxDelayMs`, whichever comes first: fewer, larger
 * frames for chatty streams, with a hard bound on the delay any one item sees. Nothing is merged or dropped.
 */
export class Batcher<T> {
  readonly #options: Required<BatcherOptions<T>>;
  #items: T[] = [];
  #timer: TimerHandle | undefined;

  constructor(options: BatcherOptions<T>) {
    if (!(options.maxItems >= 1)) throw new RangeError('maxItems must be >= 1');
    if (!(options.maxDelayMs >= 0)) throw new RangeError('maxDelayMs must be >= 0');
    this.#options = { clock: systemClock, ...options };
  }

  /** Items waiting for the next flush. */
  get size(): number {
    return this.#items.length;
  }

  /** Adds one item; flushes now if the batch is full, else makes sure the delay timer runs. */
  add(item: T): void {
    this.#items.push(item);
    if (this.#items.length >= this.#options.maxItems) {
      this.flush();
      return;
    }
    this.#timer ??= this.#options.clock.setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, this.#options.maxDelayMs);
  }

  /** Flushes what is waiting now. Returns false (and calls nothing) when the batch is empty. */
  flush(): boolean {
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#items.length === 0) return false;
    const items = this.#items;
    this.#items = [];
    this.#options.flush(items);
    return true;
  }

  /** Drops what is waiting and the timer, without flushing. */
  clear(): void {
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#items = [];
  }
}
