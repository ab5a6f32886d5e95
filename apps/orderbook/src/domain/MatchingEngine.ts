import { PriceLevels } from './PriceLevels.js';
import type { Execution, Fill, LevelChange, Order, Price, Side } from './types.js';

/** Why the engine refused an operation. */
export type OrderErrorCode = 'invalid_order' | 'duplicate_id' | 'unknown_order';

/** A refused operation; the book is unchanged. */
export class OrderError extends Error {
  override readonly name = 'OrderError';
  constructor(
    readonly code: OrderErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Counters for the engine's metrics. */
export interface EngineStats {
  orders: number;
  cancels: number;
  trades: number;
  volume: number;
}

/**
 * A price-time priority matching engine for one symbol: limit, market and cancel orders, partial fills. Pure: no
 * I/O, no clock, no randomness. Each operation returns its fills and the absolute quantity of every level it
 * changed — exactly what the `book:<symbol>` and `trades:<symbol>` streams publish.
 */
export class MatchingEngine {
  readonly bids = new PriceLevels('buy');
  readonly asks = new PriceLevels('sell');
  readonly stats: EngineStats = { orders: 0, cancels: 0, trades: 0, volume: 0 };
  readonly #orders = new Map<string, Order>();
  #sequence = 0;

  constructor(readonly symbol: string) {}

  /** Resting orders. */
  get openOrders(): number {
    return this.#orders.size;
  }

  /** Whether an order rests on the book. */
  has(id: string): boolean {
    return this.#orders.has(id);
  }

  /** A limit order: matches what crosses `price`, rests the remainder. */
  limit(order: { id: string; side: Side; price: Price; quantity: number }): Execution {
    if (!Number.isSafeInteger(order.price) || order.price <= 0) {
      throw new OrderError('invalid_order', 'price must be a positive integer number of ticks');
    }
    return this.#execute(order.id, order.side, order.quantity, order.price);
  }

  /** A market order: matches at any price until filled or the other side is empty; nothing rests. */
  market(order: { id: string; side: Side; quantity: number }): Execution {
    return this.#execute(order.id, order.side, order.quantity, undefined);
  }

  /** Removes a resting order. */
  cancel(id: string): Execution {
    const order = this.#orders.get(id);
    if (order === undefined) throw new OrderError('unknown_order', `no resting order ${id}`);
    this.#sideOf(order.side).reduce(order, order.remaining);
    this.#orders.delete(id);
    this.stats.cancels++;
    return { fills: [], rested: 0, unfilled: 0, levels: [this.#levelChange(order.side, order.price)] };
  }

  #execute(id: string, side: Side, quantity: number, limit: Price | undefined): Execution {
    if (!Number.isSafeInteger(quantity) || quantity <= 0) {
      throw new OrderError('invalid_order', 'quantity must be a positive integer');
    }
    if (this.#orders.has(id)) throw new OrderError('duplicate_id', `order ${id} already rests on the book`);
    this.stats.orders++;
    const opposite = side === 'buy' ? this.asks : this.bids;
    const touched = new Map<string, LevelChange>();
    const fills: Fill[] = [];
    let remaining = quantity;
    while (remaining > 0) {
      const maker = opposite.peekBest();
      if (maker === undefined) break;
      // Price priority: stop at the first level the limit does not reach.
      if (limit !== undefined && (side === 'buy' ? maker.price > limit : maker.price < limit)) break;
      const traded = Math.min(remaining, maker.remaining);
      opposite.reduce(maker, traded);
      remaining -= traded;
      fills.push({ takerId: id, makerId: maker.id, side, price: maker.price, quantity: traded });
      touched.set(`${maker.side}:${maker.price}`, { side: maker.side, price: maker.price, quantity: 0 });
      if (maker.remaining === 0) this.#orders.delete(maker.id);
      this.stats.trades++;
      this.stats.volume += traded;
    }
    let rested = 0;
    if (limit !== undefined && remaining > 0) {
      const order: Order = { id, side, price: limit, remaining, sequence: ++this.#sequence };
      this.#sideOf(side).add(order);
      this.#orders.set(id, order);
      touched.set(`${side}:${limit}`, { side, price: limit, quantity: 0 });
      rested = remaining;
    }
    const levels = [...touched.values()].map((level) => this.#levelChange(level.side, level.price));
    return { fills, rested, unfilled: limit === undefined ? remaining : 0, levels };
  }

  #sideOf(side: Side): PriceLevels {
    return side === 'buy' ? this.bids : this.asks;
  }

  #levelChange(side: Side, price: Price): LevelChange {
    return { side, price, quantity: this.#sideOf(side).quantityAt(price) };
  }
}
