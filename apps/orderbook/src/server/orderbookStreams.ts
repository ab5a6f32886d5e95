import type { StreamEntryOptions } from '@twohop/server';
import { keyedState, type KeyedChange, type KeyedSnapshot, type StateModel } from '@twohop/snapshot-delta';
import { bookChecksum, levelBookState, type LevelBook } from '../domain/LevelBook.js';
import { bookStream, tradesStream, type TradeView } from '../domain/streams.js';
import { tiers, type TierSpec } from '../domain/tiers.js';
import type { SymbolSpec } from './symbols.js';

/** How a tier's book is served: at the tier's frequency, conflated per level. */
export const bookEntry = (tier: TierSpec): StreamEntryOptions => ({ intervalMs: tier.intervalMs });

/**
 * How a tier's trades are served: every trade, in order, on an unthrottled tier; a throttled tier's tape comes at
 * the tier's frequency, merged by trade id (the newest trades, none of them changed).
 */
export const tradesEntry = (tier: TierSpec): StreamEntryOptions =>
  tier.intervalMs === 0 ? { delivery: 'reliable' } : { delivery: 'conflate', intervalMs: tier.intervalMs };

/** One stream the order book serves, described well enough to follow it from a bus. */
export type OrderbookStream =
  | {
      readonly kind: 'book';
      readonly stream: string;
      readonly entry: StreamEntryOptions;
      readonly model: StateModel<LevelBook, readonly KeyedChange<number>[], KeyedSnapshot<number>>;
      readonly checksum: typeof bookChecksum;
    }
  | {
      readonly kind: 'trades';
      readonly stream: string;
      readonly entry: StreamEntryOptions;
      readonly model: StateModel<
        Map<string, TradeView>,
        readonly KeyedChange<TradeView>[],
        KeyedSnapshot<TradeView>
      >;
    };

/** Every stream the order book serves for `symbols`: per symbol and tier, its book and its trades. */
export function orderbookStreams(symbols: readonly SymbolSpec[]): OrderbookStream[] {
  return symbols.flatMap((spec) =>
    tiers(spec.bucket).flatMap((tier): OrderbookStream[] => [
      {
        kind: 'book',
        stream: bookStream(spec.symbol, tier.name),
        entry: bookEntry(tier),
        model: levelBookState(),
        checksum: bookChecksum,
      },
      {
        kind: 'trades',
        stream: tradesStream(spec.symbol, tier.name),
        entry: tradesEntry(tier),
        model: keyedState<TradeView>(),
      },
    ]),
  );
}
