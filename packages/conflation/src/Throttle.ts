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
   * Trailing runs land on multiples of `intervalMs` on the clock (the first one at least `intervalMs` after the last
   * run) instead of exactly an interval after it, so throttles with the same interval that keep running run at the
   * same instants, and what they send can be made once for all of them. The leading edge stays. @default false
   */
  aligned?: boolean;
}

/**
 * Runs `run` at most once per `intervalMs`: a trigger runs it at once when the interval has passed since the last
 * run (leading edge), otherwise schedules one run at the end of the interval (trailing edge). Triggers in between
 * fold into that one run, so no trigger is ever lost and none costs more than one run. With `aligned`, the trailing
 * run waits for the next multiple of `intervalMs` on the clock (see {@link nextRunAt}).
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
      ? nextRunAt(this.#lastRun, now, this.#intervalMs) - now
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
 * When an aligned throttle that last ran at `lastRun` may run again, asked at `now`: at once (`now`) when
 * `intervalMs` has passed since, else at the first multiple of `intervalMs` on the clock at least `intervalMs` after
 * `lastRun`. Runs stay at least an interval apart, and while triggers keep coming every throttle with that interval
 * runs at the same instants.
 */
export function nextRunAt(lastRun: number, now: number, intervalMs: number): number {
  const earliest = lastRun + intervalMs;
  return earliest <= now ? now : Math.ceil(earliest / intervalMs) * intervalMs;
}
