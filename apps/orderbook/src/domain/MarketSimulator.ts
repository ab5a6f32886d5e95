import type { MatchingEngine } from './MatchingEngine.js';
import type { Execution } from './types.js';

/** Options for {@link MarketSimulator}. */
export interface MarketSimulatorOptions {
  /** Where the price starts, in ticks. */
  mid: number;
  /** Uniform [0, 1) source; seeded in tests and scenarios. */
  random: () => number;
  /** Mean distance from the touch of a new limit order, in ticks. @default 8 */
  meanDistance?: number;
  /** Above this many resting orders, the simulator cancels instead of adding, keeping the book bounded. @default 2000 */
  maxResting?: number;
}

/**
 * Realistic-enough order flow for one engine: limit orders clustered near the touch (exponential distance), cancels
 * of resting orders, occasional market orders that walk the book, and a mid that drifts. Pure apart from the random
 * source it is given; the server calls {@link MarketSimulator.step} on a timer.
 */
export class MarketSimulator {
  #mid: number;
  #next = 0;
  readonly #resting: string[] = [];
  readonly #random: () => number;
  readonly #meanDistance: number;
  readonly #maxResting: number;

  constructor(
    readonly engine: MatchingEngine,
    options: MarketSimulatorOptions,
  ) {
    this.#mid = options.mid;
    this.#random = options.random;
    this.#meanDistance = options.meanDistance ?? 8;
    this.#maxResting = options.maxResting ?? 2000;
  }

  /** Runs one operation and returns what it did. */
  step(): Execution {
    const r = this.#random();
    this.#mid = Math.max(100, this.#mid + (this.#random() < 0.5 ? -1 : 1) * (this.#random() < 0.05 ? 1 : 0));
    if ((r < 0.3 && this.#resting.length > 20) || this.engine.openOrders > this.#maxResting)
      return this.#cancel();
    if (r < 0.33) return this.#market();
    return this.#limit();
  }

  #limit(): Execution {
    const side = this.#random() < 0.5 ? 'buy' : 'sell';
    const distance = Math.floor(-Math.log(1 - this.#random()) * this.#meanDistance);
    // Mostly passive (behind the touch); a few cross and trade.
    const offset = this.#random() < 0.05 ? -distance : distance + 1;
    const price = Math.max(1, side === 'buy' ? this.#mid - offset : this.#mid + offset);
    const id = `s${++this.#next}`;
    const execution = this.engine.limit({ id, side, price, quantity: 1 + Math.floor(this.#random() * 20) });
    if (execution.rested > 0) this.#resting.push(id);
    return execution;
  }

  #market(): Execution {
    const side = this.#random() < 0.5 ? 'buy' : 'sell';
    return this.engine.market({
      id: `s${++this.#next}`,
      side,
      quantity: 1 + Math.floor(this.#random() * 30),
    });
  }

  #cancel(): Execution {
    // Swap-remove a random resting order; it may have been filled since.
    for (;;) {
      const index = Math.floor(this.#random() * this.#resting.length);
      const id = this.#resting[index] as string;
      this.#resting[index] = this.#resting[this.#resting.length - 1] as string;
      this.#resting.pop();
      if (this.engine.has(id)) return this.engine.cancel(id);
      if (this.#resting.length === 0) return this.#limit();
    }
  }
}
