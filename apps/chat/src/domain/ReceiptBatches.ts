import type { Clock } from '@twohop/sequence';
import { RoomThrottles } from './RoomThrottles.js';
import type { Receipt } from './wire.js';

/**
 * Read receipts conflated per room: the newest seq per user, flushed at most once per `intervalMs` per room as one
 * batch. Without it, every member reading every message in a busy room is members² events; with it, a room costs at
 * most one `receipts` event per interval, holding each reader once.
 */
export class ReceiptBatches {
  readonly #pending = new Map<string, Map<string, number>>();
  readonly #throttles: RoomThrottles;

  constructor(options: {
    intervalMs: number;
    clock: Clock;
    flush: (room: string, receipts: Receipt[]) => void;
  }) {
    this.#throttles = new RoomThrottles({
      intervalMs: options.intervalMs,
      clock: options.clock,
      run: (room) => {
        const pending = this.#pending.get(room);
        this.#pending.delete(room);
        if (pending === undefined || pending.size === 0) return;
        options.flush(
          room,
          [...pending].map(([userId, seq]) => ({ userId, seq })),
        );
      },
    });
  }

  /** `userId` has read `room` up to `seq`: keeps the newest per user until the room's next flush. */
  add(room: string, userId: string, seq: number): void {
    let pending = this.#pending.get(room);
    if (pending === undefined) this.#pending.set(room, (pending = new Map()));
    pending.set(userId, Math.max(seq, pending.get(userId) ?? 0));
    this.#throttles.trigger(room);
  }

  /** Drops scheduled flushes (shutdown). */
  cancel(): void {
    this.#throttles.cancel();
  }
}
