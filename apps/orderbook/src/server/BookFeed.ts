import { keyedState, StreamPublisher, type KeyedChange, type KeyedSnapshot } from '@twohop/snapshot-delta';
import type { LevelBook } from '../domain/LevelBook.js';
import { bookChecksum, levelBookState, levelKey } from '../domain/LevelBook.js';
import type { MatchingEngine } from '../domain/MatchingEngine.js';
import { bookStream, tradesStream, type TradeView } from '../domain/streams.js';
import { tierView, viewChanges, type TierSpec } from '../domain/tiers.js';
import type { Execution } from '../domain/types.js';

type BookPublisher = StreamPublisher<LevelBook, readonly KeyedChange<number>[], KeyedSnapshot<number>>;
type TradePublisher = StreamPublisher<
  Map<string, TradeView>,
  readonly KeyedChange<TradeView>[],
  KeyedSnapshot<TradeView>
>;

/**
 * Turns one engine's executions into its streams: the full book (`pro`), a view per other tier (published only
 * when that view changes), and per tier the last `tradeHistory` trades. Every book message carries the top-10
 * CRC32.
 */
export class BookFeed {
  readonly books = new Map<TierSpec['name'], BookPublisher>();
  /** The last trades, one stream per tier (the same trades in each). */
  readonly tradesByTier = new Map<TierSpec['name'], TradePublisher>();
  readonly #views = new Map<TierSpec['name'], Map<string, number>>();
  readonly #tradeIds: string[] = [];
  #tradeCounter = 0;

  constructor(
    readonly engine: MatchingEngine,
    readonly tiers: TierSpec[],
    readonly tradeHistory = 50,
    readonly now: () => number = Date.now,
  ) {
    for (const tier of tiers) {
      this.books.set(
        tier.name,
        new StreamPublisher({
          stream: bookStream(engine.symbol, tier.name),
          model: levelBookState(),
          checksum: bookChecksum,
          historyCapacity: 2048,
          // Each delta carries the engine's time, so clients can measure engine-to-screen latency.
          timestamps: now,
        }),
      );
      this.#views.set(tier.name, new Map());
      this.tradesByTier.set(
        tier.name,
        new StreamPublisher({
          stream: tradesStream(engine.symbol, tier.name),
          model: keyedState<TradeView>(),
          historyCapacity: 2048,
        }),
      );
    }
  }

  /** The trades stream of the first tier (`pro`): every trade, as it happens. */
  get trades(): TradePublisher {
    return this.tradesByTier.values().next().value as TradePublisher;
  }

  /** Publishes what one engine operation changed. */
  publish(execution: Execution): void {
    if (execution.levels.length > 0) {
      const full = this.books.get('pro');
      full?.publish(
        execution.levels.map((level) => {
          const key = levelKey(level.side === 'buy' ? 'bid' : 'ask', level.price);
          return level.quantity === 0 ? { op: 'remove', key } : { op: 'set', key, value: level.quantity };
        }),
      );
      const book = full?.state;
      for (const tier of this.tiers) {
        if (tier.name === 'pro' || book === undefined) continue;
        const before = this.#views.get(tier.name) as Map<string, number>;
        const after = tierView(book, tier);
        const changes = viewChanges(before, after);
        this.#views.set(tier.name, after);
        if (changes.length > 0) this.books.get(tier.name)?.publish(changes);
      }
    }
    if (execution.fills.length > 0) {
      const ts = this.now();
      const changes: KeyedChange<TradeView>[] = execution.fills.map((fill) => {
        const id = `t${++this.#tradeCounter}`;
        this.#tradeIds.push(id);
        return {
          op: 'set',
          key: id,
          value: { price: fill.price, quantity: fill.quantity, side: fill.side, ts },
        };
      });
      // The trade list is bounded: the oldest fall off as removals.
      while (this.#tradeIds.length > this.tradeHistory)
        changes.push({ op: 'remove', key: this.#tradeIds.shift() as string });
      for (const publisher of this.tradesByTier.values()) publisher.publish(changes);
    }
  }
}
