/** Options for {@link Backoff}. */
export interface BackoffOptions {
  /** The first delay's ceiling. @default 500 */
  baseMs?: number;
  /** No delay ever exceeds this. @default 30000 */
  capMs?: number;
  /** How much the ceiling grows per attempt. @default 2 */
  factor?: number;
  /** A source of floats in [0, 1). Injectable so tests are exact. @default Math.random */
  random?: () => number;
}

/**
 * Exponential backoff with full jitter: attempt `n` waits a uniformly random time in
 * `[0, min(cap, base * factor^n))`. The jitter spreads a crowd of clients that lost the same server over the whole
 * window instead of letting them stampede back in step; `reset()` after a healthy connection starts small again.
 */
export class Backoff {
  readonly #baseMs: number;
  readonly #capMs: number;
  readonly #factor: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#baseMs = options.baseMs ?? 500;
    this.#capMs = options.capMs ?? 30_000;
    this.#factor = options.factor ?? 2;
    this.#random = options.random ?? Math.random;
  }

  /** Attempts made since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The ceiling of the next delay. */
  get ceiling(): number {
    return Math.min(this.#capMs, this.#baseMs * this.#factor ** this.#attempt);
  }

  /** The next delay in milliseconds; each call counts an attempt. */
  next(): number {
    const delay = Math.floor(this.#random() * this.ceiling);
    this.#attempt++;
    return delay;
  }

  reset(): void {
    this.#attempt = 0;
  }
}
