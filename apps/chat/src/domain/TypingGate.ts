import type { Clock } from '@twohop/sequence';
import { TYPING_EVERY_MS } from './wire.js';

/**
 * Slack's typing rule, on the server: at most one `typing` broadcast per user per room every
 * {@link TYPING_EVERY_MS}. A message from the user ends their typing and opens the gate again, so their next
 * keystroke is announced at once. Memory is bounded by the users typing now: marks past their window are swept
 * away (at most once per window, as the gate is used), so no timer is needed.
 */
export class TypingGate {
  readonly #last = new Map<string, number>();
  #sweptAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly clock: Clock,
    readonly everyMs: number = TYPING_EVERY_MS,
  ) {}

  /** Whether `uid`'s typing in `room` may be broadcast now; if so, the gate closes for the window. */
  pass(room: string, uid: string): boolean {
    const key = `${room}\u0000${uid}`;
    const now = this.clock.now();
    if (now - this.#sweptAt >= this.everyMs) this.sweep();
    const last = this.#last.get(key);
    if (last !== undefined && now - last < this.everyMs) return false;
    this.#last.set(key, now);
    return true;
  }

  /** Opens the gate for `uid` in `room` (they sent a message: their typing ended). */
  reset(room: string, uid: string): void {
    this.#last.delete(`${room}\u0000${uid}`);
  }

  /** Forgets every mark whose window has passed; returns how many remain. */
  sweep(): number {
    const now = this.clock.now();
    this.#sweptAt = now;
    for (const [key, at] of this.#last) if (now - at >= this.everyMs) this.#last.delete(key);
    return this.#last.size;
  }
}
