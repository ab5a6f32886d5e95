import { Throttle } from '@twohop/conflation';
import type { Clock } from '@twohop/sequence';

/**
 * One {@link Throttle} per room, made on first use: `run(room)` at most once per `intervalMs` per room, however often
 * the room is triggered. The chat conflates its large-room notices and its read receipts with it.
 */
export class RoomThrottles {
  readonly #throttles = new Map<string, Throttle>();

  constructor(readonly options: { intervalMs: number; clock: Clock; run: (room: string) => void }) {}

  /** Asks for a run for `room`: now if its interval has passed, else once at the end of it. */
  trigger(room: string): void {
    let throttle = this.#throttles.get(room);
    if (throttle === undefined) {
      const { intervalMs, clock, run } = this.options;
      throttle = new Throttle({ intervalMs, clock, run: () => run(room) });
      this.#throttles.set(room, throttle);
    }
    throttle.trigger();
  }

  /** Drops every scheduled run (shutdown). */
  cancel(): void {
    for (const throttle of this.#throttles.values()) throttle.cancel();
  }
}
