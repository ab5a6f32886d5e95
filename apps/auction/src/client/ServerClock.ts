import { systemClock, type Clock, type TimerHandle } from '@twohop/sequence';
import mitt from 'mitt';
import { estimateOffset, type ClockSample, type OffsetEstimate } from './clockOffset.js';

/** Options for {@link ServerClock}. */
export interface ServerClockOptions {
  /** Asks the server for its time (the `time` request): ms since the epoch, or undefined when it did not answer. */
  ask(): Promise<number | undefined>;
  /** The client's monotonic clock and timers. @default systemClock (`performance.now()`) */
  clock?: Clock;
  /** Round trips per estimate. @default 5 */
  samples?: number;
  /** A new estimate this often (clocks drift; a laptop sleeps). @default 60000 */
  intervalMs?: number;
}

/** What a {@link ServerClock} tells its listeners. */
export type ServerClockEvents = { estimate: OffsetEstimate };

/**
 * The server's clock as the client estimates it, for countdowns that end when the server's do: a few `time`
 * round trips, slow ones discarded ({@link estimateOffset}), give an offset from the client's monotonic clock,
 * so the countdown never jumps when the user changes the system time. It re-estimates every `intervalMs` and on
 * {@link ServerClock.resync} (the page calls it when the tab becomes visible again: timers sleep in hidden tabs).
 */
export class ServerClock {
  readonly events = mitt<ServerClockEvents>();
  readonly #options: Required<Omit<ServerClockOptions, 'ask'>> & Pick<ServerClockOptions, 'ask'>;
  #estimate: OffsetEstimate | undefined;
  #timer: TimerHandle | undefined;
  #running: Promise<OffsetEstimate | undefined> | undefined;
  #stopped = false;

  constructor(options: ServerClockOptions) {
    this.#options = {
      ask: options.ask,
      clock: options.clock ?? systemClock,
      samples: options.samples ?? 5,
      intervalMs: options.intervalMs ?? 60_000,
    };
  }

  /** The latest estimate, once one round trip has come back. */
  get estimate(): OffsetEstimate | undefined {
    return this.#estimate;
  }

  /** The server's time now (ms since the epoch) by the latest estimate; undefined before the first. */
  now(): number | undefined {
    return this.#estimate === undefined ? undefined : this.#options.clock.now() + this.#estimate.offsetMs;
  }

  /** Estimates now, then every `intervalMs`. Resolves with the first estimate. */
  start(): Promise<OffsetEstimate | undefined> {
    this.#stopped = false;
    return this.resync();
  }

  /** A fresh estimate (one at a time: a call while one runs shares it); the periodic one is rescheduled after it. */
  resync(): Promise<OffsetEstimate | undefined> {
    this.#running ??= this.#measure().finally(() => {
      this.#running = undefined;
      this.#schedule();
    });
    return this.#running;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #measure(): Promise<OffsetEstimate | undefined> {
    const { ask, clock, samples: count } = this.#options;
    const samples: ClockSample[] = [];
    // One at a time: round trips that overlap queue behind each other and look slower than they are.
    for (let i = 0; i < count && !this.#stopped; i++) {
      const sentAt = clock.now();
      const serverTime = await ask();
      if (serverTime !== undefined) samples.push({ sentAt, receivedAt: clock.now(), serverTime });
    }
    const estimate = estimateOffset(samples);
    if (estimate !== undefined) {
      this.#estimate = estimate;
      this.events.emit('estimate', estimate);
    }
    return estimate;
  }

  #schedule(): void {
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = this.#stopped
      ? undefined
      : this.#options.clock.setTimeout(() => void this.resync(), this.#options.intervalMs);
  }
}
