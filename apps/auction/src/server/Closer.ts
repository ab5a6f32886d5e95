import type { AuctionState, BidStore, CloseResult } from '@twohop/auction/domain';
import type { Clock, TimerHandle } from '@twohop/sequence';

/**
 * Asks the store to close each lot when its time comes. The timer only decides *when to ask*: the store closes the
 * lot if its own clock has reached `endsAt` (`closeIfDue`), and answers "not yet" with the new `endsAt` when a bid in
 * the closing seconds moved it — then the closer asks again at that time. A timer that fires early, late or twice
 * changes nothing the store would not.
 */
export class Closer {
  readonly #timers = new Map<string, TimerHandle>();
  #stopped = false;

  constructor(
    readonly store: BidStore,
    readonly clock: Clock,
    /** Hears the close this closer's request recorded (once per lot). */
    readonly onClosed: (result: CloseResult & { state: AuctionState }) => void,
  ) {}

  /** (Re)arms the lot's timer for its `endsAt` as `state` says. */
  watch(state: AuctionState): void {
    if (this.#stopped || state.status === 'closed') return;
    const id = state.terms.id;
    void this.store.now().then((now) => {
      if (this.#stopped) return;
      const previous = this.#timers.get(id);
      if (previous !== undefined) this.clock.clearTimeout(previous);
      // At least 1 ms: a close due now is asked for on the next turn, never inside the caller's.
      const delay = Math.max(1, state.endsAt - now);
      this.#timers.set(
        id,
        this.clock.setTimeout(() => void this.#check(id), delay),
      );
    });
  }

  /** Stops every timer (on shutdown). */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.values()) this.clock.clearTimeout(timer);
    this.#timers.clear();
  }

  async #check(id: string): Promise<void> {
    this.#timers.delete(id);
    if (this.#stopped) return;
    const result = await this.store.closeIfDue(id);
    if (result.state === undefined) return;
    if (!result.closed) this.watch(result.state);
    else if (result.auditEntry !== undefined) this.onClosed({ ...result, state: result.state });
  }
}
