/** Which side of the book: buyers bid, sellers ask. */
export type Side = 'buy' | 'sell';

/** A price in integer ticks (for BTC-USD, cents): integers keep matching exact. */
export type Price = number;

/** A resting or incoming order. */
export interface Order {
  readonly id: string;
  readonly side: Side;
  /** Limit price in ticks; market orders have none. */
  readonly price: Price;
  /** What is left to fill. */
  remaining: number;
  /** Arrival order, for time priority. */
  readonly sequence: number;
}

/** One match between an incoming (taker) order and a resting (maker) order, at the maker's price. */
export interface Fill {
  readonly takerId: string;
  readonly makerId: string;
  /** The taker's side: `buy` means the trade lifted an ask. */
  readonly side: Side;
  readonly price: Price;
  readonly quantity: number;
}

/** The new total quantity at one price level; 0 means the level is gone. Absolute, never a difference. */
export interface LevelChange {
  readonly side: Side;
  readonly price: Price;
  readonly quantity: number;
}

/** What one operation did: the trades, what rests on the book, and every level it changed. */
export interface Execution {
  readonly fills: Fill[];
  /** Quantity of the incoming order left resting on the book (limit orders only). */
  readonly rested: number;
  /** Quantity of the incoming order that could not be filled and did not rest (market orders, or rejects). */
  readonly unfilled: number;
  /** Each changed level once, with its final quantity after the operation. */
  readonly levels: LevelChange[];
}
