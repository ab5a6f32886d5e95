import { TokenBucket } from '@twohop/server';
import type { Clock } from '@twohop/sequence';

/**
 * One token bucket per user, shared by all their connections; a bucket idle long enough to refill is forgotten (a
 * full bucket and none are the same), so memory follows the users active lately.
 */
export class UserBudgets {
  readonly #buckets = new Map<string, { bucket: TokenBucket; usedAt: number }>();
  #sweptAt: number;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    readonly clock: Clock,
  ) {
    this.#sweptAt = clock.now();
  }

  /** Takes one token of `key`'s; on refusal, how long until one is back (ms). */
  take(key: string): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.clock.now();
    const refillMs = (this.burst / this.perSecond) * 1000;
    if (now - this.#sweptAt >= refillMs) {
      this.#sweptAt = now;
      for (const [user, entry] of this.#buckets)
        if (now - entry.usedAt >= refillMs) this.#buckets.delete(user);
    }
    let entry = this.#buckets.get(key);
    if (entry === undefined)
      this.#buckets.set(
        key,
        (entry = { bucket: new TokenBucket(this.perSecond, this.burst, this.clock), usedAt: now }),
      );
    entry.usedAt = now;
    return entry.bucket.take() ? { ok: true } : { ok: false, retryAfterMs: Math.ceil(1000 / this.perSecond) };
  }
}
