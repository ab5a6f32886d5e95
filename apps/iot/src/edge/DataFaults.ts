/**
 * The data faults of one simulated edge node: messages that are numbered but never sent (`lose`), and one message
 * held back until the next has gone (`reorder`). Each numbered data message passes through {@link DataFaults.route},
 * which says what goes out now, in order.
 */
export class DataFaults<T> {
  #lose = 0;
  #reorder: 'off' | 'armed' | { readonly item: T } = 'off';
  /** Data messages dropped so far. */
  lost = 0;
  /** Data messages sent after the one that followed them. */
  reordered = 0;

  /** Drops the next `count` data messages. */
  lose(count: number): void {
    this.#lose += count;
  }

  /** Holds the next data message back until the one after it has been sent. */
  reorder(): void {
    if (this.#reorder === 'off') this.#reorder = 'armed';
  }

  /** What to send now for this numbered message: nothing (lost or held), it, or it then the one held before it. */
  route(item: T): T[] {
    if (this.#lose > 0) {
      this.#lose--;
      this.lost++;
      return [];
    }
    if (this.#reorder === 'armed') {
      this.#reorder = { item };
      return [];
    }
    const held = this.#reorder;
    this.#reorder = 'off';
    if (held === 'off') return [item];
    this.reordered++;
    return [item, held.item];
  }

  /** The held message, if any, to send at once (before a pause, so no hole stays open). */
  release(): T[] {
    const held = this.#reorder;
    this.#reorder = 'off';
    return typeof held === 'object' ? [held.item] : [];
  }

  /** Forgets a held message: after a birth it belongs to the old numbering. */
  drop(): void {
    if (typeof this.#reorder === 'object') this.lost++;
    this.#reorder = 'off';
  }
}
