import { systemClock, type Clock, type TimerHandle } from '@twohop/sequence';

/** Options for {@link Throttle}. */
export interface ThrottleOptions {
  /** The least time between two runs: `1000 / intervalMs` is the maximum frequency. */
  intervalMs: number;
  /** The work to run, at most once per interval. */
  run: () => void;
  /** Time source. @default systemClock */
  clock?: Clock;
  /**
   * Runs close at the end of fixed windows, every multiple of `intervalMs` on the clock, instead of an interval
   * after the last run: every throttle with the same interval then runs at the same instant, so what they send can
   * be made once for all of them. No leading edge: a trigger runs at the end of its window. @default false
   */
  aligned?: boolean;
}

/**
 * Runs `run` at most once per `intervalMs`: a trigger runs it at once when the interval has passed since the last
 * run (leading edge), otherwise schedules one run at the end of the interval (trailing edge). Triggers in between
 * fold into that one run, so no trigger is ever lost and none costs more than one run. With `aligned`, a trigger
 * always waits for the end of the current window (`now` rounded up to a multiple of `intervalMs`).
 */
export class Throttle {
  readonly #intervalMs: number;
  readonly #run: () => void;
  readonly #clock: Clock;
  readonly #aligned: boolean;
  #lastRun = Number.NEGATIVE_INFINITY;
  #timer: TimerHandle | undefined;

  constructor(options: ThrottleOptions) {
    if (!(options.intervalMs >= 0)) throw new RangeError('intervalMs must be >= 0');
    this.#intervalMs = options.intervalMs;
    this.#run = options.run;
    this.#clock = options.clock ?? systemClock;
    this.#aligned = options.aligned === true && options.intervalMs > 0;
  }

  /** Whether a trailing run is scheduled. */
  get pending(): boolean {
    return this.#timer !== undefined;
  }

  /** Asks for a run: now if allowed, else once at the end of the current interval. */
  trigger(): void {
    if (this.#timer !== undefined) return;
    const now = this.#clock.now();
    const wait = this.#aligned
      ? windowEnd(now, this.#intervalMs) - now
      : this.#lastRun + this.#intervalMs - now;
    if (wait <= 0) {
      this.#fire();
      return;
    }
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#fire();
    }, wait);
  }

  /** Drops a scheduled trailing run. */
  cancel(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #fire(): void {
    this.#lastRun = this.#clock.now();
    this.#run();
  }
}

/**
 * The end of the window of `intervalMs` that `now` falls in: the next multiple of `intervalMs` on the clock (a
 * moment exactly on a multiple opens a window). Every aligned throttle with that interval runs there.
 */
export function windowEnd(now: number, intervalMs: number): number {
  return (Math.floor(now / intervalMs) + 1) * intervalMs;
}
