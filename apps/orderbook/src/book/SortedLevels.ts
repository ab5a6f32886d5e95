/**
 * One side of a client's book: prices kept sorted best-first in a plain array (binary search to find, a short
 * `splice` to insert or remove), quantities in a Map. A lookup is O(log n); the top N levels are the first N
 * entries, read without sorting anything. Most changes land near the top of a book, where the splices are cheapest.
 */
export class SortedLevels {
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
    return this.#prices[0];
  }

  quantityAt(price: number): number {
    return this.#quantities.get(price) ?? 0;
  }

  /** Sets the absolute quantity at `price`; 0 removes the level. */
  set(price: number, quantity: number): void {
    if (quantity === 0) {
      if (!this.#quantities.delete(price)) return;
      this.#prices.splice(this.#search(price), 1);
      return;
    }
    if (!this.#quantities.has(price)) this.#prices.splice(this.#search(price), 0, price);
    this.#quantities.set(price, quantity);
  }

  /** The best `count` levels as [price, quantity], best first. */
  top(count: number): Array<[number, number]> {
    const levels: Array<[number, number]> = [];
    const end = Math.min(count, this.#prices.length);
    for (let i = 0; i < end; i++) {
      const price = this.#prices[i] as number;
      levels.push([price, this.#quantities.get(price) as number]);
    }
    return levels;
  }

  /** Calls `visit` for levels best-first until it returns false. */
  walk(visit: (price: number, quantity: number) => boolean): void {
    for (const price of this.#prices) if (!visit(price, this.#quantities.get(price) as number)) return;
  }

  clear(): void {
    this.#prices.length = 0;
    this.#quantities.clear();
  }

  /** Where `price` is, or would go, in best-first order. */
  #search(price: number): number {
    const prices = this.#prices;
    const direction = this.#direction;
    let low = 0;
    let high = prices.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (((prices[middle] as number) - price) * direction > 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
