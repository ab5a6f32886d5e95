/**
 * The time source every timer-driven piece of twohop takes as an option, so tests can run on a fake clock
 * (see `FakeClock` in `@twohop/testkit`) and production code on the real one.
 */
export interface Clock {
  /** Milliseconds on a monotonic-enough scale; only differences are used. */
  now(): number;
  /** Schedules `fn` after `ms` milliseconds; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer scheduled with {@link Clock.setTimeout}; a handle that already fired is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** Opaque timer handle: whatever the clock's `setTimeout` returns. */
export type TimerHandle = unknown;

/** The real clock: `performance.now()` and the global timers, available in browsers and Node alike. */
export const systemClock: Clock = {
  now: () => globalThis.performance.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
};
