import { Throttle } from '@twohop/conflation';
import type { Clock } from '@twohop/sequence';

/**
 * Sends read receipts at most once per room a second, however fast messages arrive: each send carries the newest
 * seq by then, and every `mark` made meanwhile resolves with it (receipts are conflated at the client as well as at
 * the server).
 */
export class ReadMarker {
  readonly #rooms = new Map<string, { throttle: Throttle; waiting: Array<() => void> }>();

  constructor(
    readonly options: { clock: Clock; intervalMs?: number; send: (room: string) => Promise<void> },
  ) {}

  /** Marks `room` read (its newest seq, when the send goes); resolves once that send is answered. */
  mark(room: string): Promise<void> {
    let entry = this.#rooms.get(room);
    if (entry === undefined) {
      const waiting: Array<() => void> = [];
      const throttle = new Throttle({
        intervalMs: this.options.intervalMs ?? 1000,
        clock: this.options.clock,
        run: () => {
          const settled = waiting.splice(0);
          void this.options.send(room).finally(() => {
            for (const resolve of settled) resolve();
          });
        },
      });
      this.#rooms.set(room, (entry = { throttle, waiting }));
    }
    const { throttle, waiting } = entry;
    return new Promise((resolve) => {
      waiting.push(resolve);
      throttle.trigger();
    });
  }

  /** Drops scheduled sends (the session closed). */
  cancel(): void {
    for (const { throttle } of this.#rooms.values()) throttle.cancel();
  }
}
