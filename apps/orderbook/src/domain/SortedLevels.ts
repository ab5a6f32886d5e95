/**
 * One side of a client's book. Prices are kept sorted in a plain array **worst-first**, so the best price is the last
 * element: most changes land near the top of a book, and there an insert or a removal (`splice`) moves only the few
 * elements after it instead of the whole side. Quantities live in a Map. Finding a level is a binary search
 * (O(log n)); the top N levels are the last N slots, read without sorting anything.
 */
export class SortedLevels {
  /** Worst first, best last. */
  readonly #prices: number[] = [];
  readonly #quantities = new Map<number, number>();
  /** +1 when higher prices are better (bids), −1 when lower are (asks). */
  readonly #direction: 1 | -1;

  constructor(readonly side: 'bid' | 'ask') {
    this.#direction = side === 'bid' ? 1 : -1;
  }

  get size(): number {
    return this.#prices.length;
  }

  get best(): number | undefined {
    return this.#prices[this.#prices.length - 1];
  }

  quantityAt(price: number): number {
    return this.#quantities.get(price) ?? 0;
  }

  /** Sets the absolute quantity at `price`; 0 removes the level. */
  set(price: number, quantity: number): void {
    if (quantity === 0) {
      if (this.#quantities.delete(price)) this.#prices.splice(this.#search(price), 1);
      return;
    }
    if (this.#quantities.get(price) === undefined) this.#prices.splice(this.#search(price), 0, price);
    this.#quantities.set(price, quantity);
  }

  /** The best `count` levels as [price, quantity], best first. */
  top(count: number): Array<[number, number]> {
    const prices = this.#prices;
    const end = Math.min(count, prices.length);
    const levels: Array<[number, number]> = new Array(end);
    for (let i = 0; i < end; i++) {
      const price = prices[prices.length - 1 - i] as number;
      levels[i] = [price, this.#quantities.get(price) as number];
    }
    return levels;
  }

  /** Calls `visit` for levels best-first until it returns false. */
  walk(visit: (price: number, quantity: number) => boolean): void {
    const prices = this.#prices;
    for (let i = prices.length - 1; i >= 0; i--) {
      const price = prices[i] as number;
      if (!visit(price, this.#quantities.get(price) as number)) return;
    }
  }

  clear(): void {
    this.#prices.length = 0;
    this.#quantities.clear();
  }

  /** Where `price` is, or would go, in worst-first order. */
  #search(price: number): number {
    const prices = this.#prices;
    const direction = this.#direction;
    let low = 0;
    let high = prices.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      // Worst first: for bids ascending, for asks descending.
      if ((price - (prices[middle] as number)) * direction > 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
