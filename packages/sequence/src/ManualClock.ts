import type { Clock, TimerHandle } from './Clock.js';

interface Scheduled {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/**
 * A {@link Clock} that moves only when told to: tests and seeded simulations advance it explicitly, and timers fire
 * in time order (ties in scheduling order) during {@link ManualClock.advance}. Pure TypeScript, so it runs anywhere
 * the core packages do.
 */
export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: Scheduled[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, at: this.#now + Math.max(0, ms), fn };
    this.#timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((timer) => timer.id !== handle);
  }

  /** How many timers are scheduled and not yet fired. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing every timer due on the way (including ones those timers schedule). */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const due = this.#earliest();
      if (due === undefined || due.at > until) break;
      this.#timers = this.#timers.filter((timer) => timer !== due);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
    }
    this.#now = until;
  }

  /** Fires timers until none is left (bounded, so a timer that always re-arms cannot loop forever). */
  runAll(maxTimers = 100_000): void {
    for (let fired = 0; fired < maxTimers; fired++) {
      const due = this.#earliest();
      if (due === undefined) return;
      this.advance(Math.max(0, due.at - this.#now));
    }
    throw new Error(`ManualClock.runAll: more than ${maxTimers} timers fired; a timer keeps re-arming`);
  }

  /** The first timer due. Timers are kept in scheduling order, so among timers due together the first found wins. */
  #earliest(): Scheduled | undefined {
    let earliest: Scheduled | undefined;
    for (const timer of this.#timers) {
      if (earliest === undefined || timer.at < earliest.at) earliest = timer;
    }
    return earliest;
  }
}
