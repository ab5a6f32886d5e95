import type { TierSpec } from './tiers.js';

/** A trade as the `trades:` stream carries it. */
export interface TradeView {
  readonly price: number;
  readonly quantity: number;
  /** The taker's side. */
  readonly side: 'buy' | 'sell';
  /** Server time of the match, milliseconds since the epoch. */
  readonly ts: number;
}

/** The stream name of a symbol's book at a tier: `book:BTC-USD` (pro, full depth), `book:BTC-USD/retail`, … */
export const bookStream = (symbol: string, tier: TierSpec['name']): string =>
  tier === 'pro' ? `book:${symbol}` : `book:${symbol}/${tier}`;

/**
 * The stream name of a symbol's trades at a tier: `trades:BTC-USD` (pro), `trades:BTC-USD/retail`, … Every tier
 * carries the same trades; a stream per tier lets the server send each at its tier's frequency.
 */
export const tradesStream = (symbol: string, tier: TierSpec['name']): string =>
  tier === 'pro' ? `trades:${symbol}` : `trades:${symbol}/${tier}`;
