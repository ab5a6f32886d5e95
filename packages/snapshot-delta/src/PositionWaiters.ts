import type { Clock, StreamPosition, TimerHandle } from '@twohop/sequence';

/**
 * Callers waiting for a stream to reach a position, each for a bounded time: {@link PositionWaiters.wait} resolves
 * once `reached(position)` holds at a {@link PositionWaiters.check}, or at its timeout, whichever comes first.
 */
export class PositionWaiters {
  readonly #waiting = new Set<{ position: StreamPosition; release: () => void }>();

  constructor(
    private readonly clock: Clock,
    private readonly reached: (position: StreamPosition) => boolean,
  ) {}

  /** How many wait now. */
  get size(): number {
    return this.#waiting.size;
  }

  /** Undefined when `position` is reached already; else resolves once it is, or after `timeoutMs`. */
  wait(position: StreamPosition, timeoutMs: number): Promise<void> | undefined {
    if (this.reached(position)) return undefined;
    return new Promise((resolve) => {
      const waiter = {
        position,
        release: () => {
          this.clock.clearTimeout(timer);
          this.#waiting.delete(waiter);
          resolve();
        },
      };
      const timer: TimerHandle = this.clock.setTimeout(waiter.release, timeoutMs);
      this.#waiting.add(waiter);
    });
  }

  /** Releases every waiter whose position is reached now. */
  check(): void {
    for (const waiter of this.#waiting) if (this.reached(waiter.position)) waiter.release();
  }
}
