/**
 * The last `capacity` items of a numbered sequence, in a fixed-size ring: what a publisher keeps so a subscriber
 * that reconnects can resume by replay instead of a snapshot (protocol rule 6). Memory is fixed at `capacity`
 * slots whatever the traffic.
 */
export class HistoryRing<T> {
  readonly #slots: (T | undefined)[];
  /** The seq of the newest item held; `#count` items end there. */
  #newest = 0;
  #count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be an integer >= 1');
    this.#slots = new Array<T | undefined>(capacity);
  }

  /** How many items are held. */
  get size(): number {
    return this.#count;
  }

  /** The seq of the oldest item held, or undefined when empty. */
  get oldestSeq(): number | undefined {
    return this.#count === 0 ? undefined : this.#newest - this.#count + 1;
  }

  /** The seq of the newest item held, or undefined when empty. */
  get newestSeq(): number | undefined {
    return this.#count === 0 ? undefined : this.#newest;
  }

  /**
   * Adds the item numbered `seq`, evicting the oldest when full. Seqs must follow one another; a seq that does not
   * (after a reset of the sequence) starts the ring afresh, since a replay across the jump would skip changes.
   */
  push(seq: number, item: T): void {
    if (this.#count > 0 && seq !== this.#newest + 1) this.clear();
    this.#newest = seq;
    this.#slots[this.#slotOf(seq)] = item;
    if (this.#count < this.capacity) this.#count++;
  }

  /**
   * Every item after `seq`, oldest first — or undefined when the ring no longer holds `seq + 1` (the caller must
   * send a snapshot instead). `seq` equal to the newest gives an empty list.
   */
  since(seq: number): T[] | undefined {
    if (this.#count === 0 || seq > this.#newest) return seq === this.#newest ? [] : undefined;
    const oldest = this.#newest - this.#count + 1;
    if (seq + 1 < oldest) return undefined;
    const items: T[] = [];
    for (let s = seq + 1; s <= this.#newest; s++) items.push(this.#slots[this.#slotOf(s)] as T);
    return items;
  }

  /**
   * Forgets everything. With `seq`, the ring starts over right after it: `since(seq)` is then an empty replay,
   * not a snapshot, and the next push must be `seq + 1` to join up.
   */
  clear(seq?: number): void {
    this.#slots.fill(undefined);
    this.#count = 0;
    if (seq !== undefined) this.#newest = seq;
  }

  #slotOf(seq: number): number {
    return seq % this.capacity;
  }
}
