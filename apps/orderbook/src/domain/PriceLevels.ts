import type { Order, Price, Side } from './types.js';

/** The orders resting at one price, in time priority. */
interface Level {
  readonly price: Price;
  /** Total remaining quantity of the live orders here. */
  quantity: number;
  /** FIFO; orders cancelled or filled are skipped from `head`, and compacted away once they dominate. */
  orders: Order[];
  head: number;
  /** Orders in `orders` that are done (filled or cancelled) but still in the array. */
  dead: number;
}

/**
 * One side of the engine's book: price levels kept sorted best-first (highest bid, lowest ask), each a FIFO queue
 * of orders. Finding a level is a binary search; the best level is index 0.
 */
export class PriceLevels {
  readonly #prices: Price[] = [];
  readonly #levels = new Map<Price, Level>();
  /** +1 when higher prices are better (bids), −1 when lower are (asks). */
  readonly #direction: 1 | -1;

  constructor(readonly side: Side) {
    this.#direction = side === 'buy' ? 1 : -1;
  }

  /** The best price, if any. */
  get best(): Price | undefined {
    return this.#prices[0];
  }

  get depth(): number {
    return this.#prices.length;
  }

  /** Total quantity at `price` (0 when none). */
  quantityAt(price: Price): number {
    return this.#levels.get(price)?.quantity ?? 0;
  }

  /** The best `count` levels as [price, quantity], best first. */
  top(count: number): Array<[Price, number]> {
    return this.#prices.slice(0, count).map((price) => [price, (this.#levels.get(price) as Level).quantity]);
  }

  /** Every level, best first. */
  all(): Array<[Price, number]> {
    return this.top(this.#prices.length);
  }

  /** Adds `order` at the back of its price's queue. */
  add(order: Order): void {
    let level = this.#levels.get(order.price);
    if (level === undefined) {
      level = { price: order.price, quantity: 0, orders: [], head: 0, dead: 0 };
      this.#levels.set(order.price, level);
      this.#prices.splice(this.#insertionIndex(order.price), 0, order.price);
    }
    level.orders.push(order);
    level.quantity += order.remaining;
  }

  /** The oldest live order at the best price, or undefined when the side is empty. */
  peekBest(): Order | undefined {
    const price = this.#prices[0];
    if (price === undefined) return undefined;
    const level = this.#levels.get(price) as Level;
    while (level.head < level.orders.length && (level.orders[level.head] as Order).remaining === 0)
      level.head++;
    return level.orders[level.head];
  }

  /** Takes `quantity` from `order` (resting at its price), dropping the level when it empties. */
  reduce(order: Order, quantity: number): void {
    const level = this.#levels.get(order.price);
    if (level === undefined) throw new Error(`no level at ${order.price}`);
    order.remaining -= quantity;
    level.quantity -= quantity;
    if (level.quantity === 0) {
      this.#removeLevel(order.price);
      return;
    }
    // A level that never empties would otherwise keep every order it ever held: drop the done ones in one pass
    // once they are the majority (amortised O(1) per order).
    if (order.remaining === 0 && ++level.dead > 16 && level.dead * 2 > level.orders.length) {
      level.orders = level.orders.filter((resting) => resting.remaining > 0);
      level.head = 0;
      level.dead = 0;
    }
  }

  #removeLevel(price: Price): void {
    this.#levels.delete(price);
    const index = this.#indexOf(price);
    if (index >= 0) this.#prices.splice(index, 1);
  }

  /** Where `price` sits (or would sit) in best-first order. */
  #insertionIndex(price: Price): number {
    let low = 0;
    let high = this.#prices.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      // Best first: for bids, descending; for asks, ascending.
      if (((this.#prices[middle] as Price) - price) * this.#direction > 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #indexOf(price: Price): number {
    const index = this.#insertionIndex(price);
    return this.#prices[index] === price ? index : -1;
  }
}
