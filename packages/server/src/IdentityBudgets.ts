import { systemClock, type Clock } from '@twohop/sequence';
import { TokenBucket } from './limits.js';

/** Options for {@link IdentityBudgets}. */
export interface IdentityBudgetsOptions {
  /** Sustained request cost per second, over all of one identity's connections. @default 40 */
  ratePerSecond?: number;
  /** Request cost in a burst, over all of one identity's connections. @default 80 */
  burst?: number;
  clock?: Clock;
}

/**
 * One request budget per identity (a user id), shared by every connection of that identity, so opening more tabs
 * does not buy more requests. A budget left alone long enough to refill is forgotten: a full bucket and no bucket
 * are the same, so memory follows the identities active in the last refill period, not all that ever came.
 */
export class IdentityBudgets {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly #clock: Clock;
  readonly #buckets = new Map<string, { bucket: TokenBucket; usedAt: number }>();
  #sweptAt: number;

  constructor(options: IdentityBudgetsOptions = {}) {
    this.ratePerSecond = options.ratePerSecond ?? 40;
    this.burst = options.burst ?? 80;
    this.#clock = options.clock ?? systemClock;
    this.#sweptAt = this.#clock.now();
  }

  /** The budget of `key`, full when first used. */
  of(key: string): TokenBucket {
    const now = this.#clock.now();
    if (now - this.#sweptAt >= this.#refillMs) this.#sweep(now);
    let entry = this.#buckets.get(key);
    if (entry === undefined) {
      entry = { bucket: new TokenBucket(this.ratePerSecond, this.burst, this.#clock), usedAt: now };
      this.#buckets.set(key, entry);
    }
    entry.usedAt = now;
    return entry.bucket;
  }

  /** Identities with a budget in memory. */
  get size(): number {
    return this.#buckets.size;
  }

  /** How long an empty bucket takes to fill. */
  get #refillMs(): number {
    return (this.burst / this.ratePerSecond) * 1000;
  }

  #sweep(now: number): void {
    this.#sweptAt = now;
    for (const [key, entry] of this.#buckets) {
      if (now - entry.usedAt >= this.#refillMs) this.#buckets.delete(key);
    }
  }
}
