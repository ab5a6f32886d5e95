import { Replica, type DeltaMessage, type KeyedChange } from '@twohop/snapshot-delta';
import { testSeed } from '@twohop/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bookChecksum, LevelBook, levelBookState, levelKey } from '../domain/LevelBook.js';
import { MatchingEngine, OrderError } from '../domain/MatchingEngine.js';
import { BookFeed } from './BookFeed.js';
import { expectedTierView } from '../../test/tierOracle.js';
import { tiers, tierView, viewChanges, type TierSpec } from '../domain/tiers.js';

const SEED = testSeed('BookFeed', 0xb00c);

/** The engine's whole book as a LevelBook, the truth every tier is checked against. */
function engineBook(engine: MatchingEngine): LevelBook {
  const book = new LevelBook();
  for (const [price, quantity] of engine.bids.all()) book.bids.set(price, quantity);
  for (const [price, quantity] of engine.asks.all()) book.asks.set(price, quantity);
  return book;
}

const asMap = (book: LevelBook) => new Map(book.entries());

type Operation =
  | { kind: 'limit'; side: 'buy' | 'sell'; price: number; quantity: number }
  | { kind: 'market'; side: 'buy' | 'sell'; quantity: number }
  | { kind: 'cancel'; pick: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('limit' as const),
      side: fc.constantFrom('buy' as const, 'sell' as const),
      price: fc.integer({ min: 70, max: 130 }),
      quantity: fc.integer({ min: 1, max: 9 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('market' as const),
      side: fc.constantFrom('buy' as const, 'sell' as const),
      quantity: fc.integer({ min: 1, max: 30 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
);

describe(`BookFeed (fast-check seed ${SEED})`, () => {
  it('the book rebuilt from each tier’s deltas equals the engine’s book through that tier, for any order flow (property)', () => {
    fc.assert(
      fc.property(
        fc.array(operation, { maxLength: 300 }),
        fc.integer({ min: 2, max: 7 }),
        (operations, bucket) => {
          const engine = new MatchingEngine('TEST');
          const specs = tiers(bucket);
          const feed = new BookFeed(engine, specs, 20, () => 0);
          const replicas = specs.map((spec) => {
            const publisher = feed.books.get(spec.name)!;
            const replica = new Replica({
              model: levelBookState(),
              checksum: bookChecksum,
              onResync: () => {},
            });
            replica.applySnapshot(publisher.snapshot());
            publisher.subscribe((delta) =>
              replica.applyDelta(delta as DeltaMessage<readonly KeyedChange<number>[]>),
            );
            return { spec, replica };
          });
          const live: string[] = [];
          operations.forEach((op, i) => {
            const id = `o${i}`;
            try {
              if (op.kind === 'limit') {
                const execution = engine.limit({ id, side: op.side, price: op.price, quantity: op.quantity });
                if (execution.rested > 0) live.push(id);
                feed.publish(execution);
              } else if (op.kind === 'market') {
                feed.publish(engine.market({ id, side: op.side, quantity: op.quantity }));
              } else if (live.length > 0) {
                const [target] = live.splice(op.pick % live.length, 1);
                if (engine.has(target as string)) feed.publish(engine.cancel(target as string));
              }
            } catch (error) {
              if (!(error instanceof OrderError)) throw error;
            }
          });
          const truth = engineBook(engine);
          for (const { spec, replica } of replicas) {
            expect(replica.stats.resyncs, spec.name).toBe(0);
            const expected = expectedTierView(asMap(truth), spec);
            expect(asMap(replica.state), spec.name).toEqual(expected);
          }
        },
      ),
      { seed: SEED, numRuns: 200, verbose: true },
    );
  });

  it('publishes trades, never more than the history, oldest falling off', () => {
    const engine = new MatchingEngine('TEST');
    const feed = new BookFeed(engine, tiers(5), 3, () => 42);
    for (let i = 0; i < 5; i++)
      feed.publish(engine.limit({ id: `a${i}`, side: 'sell', price: 100 + i, quantity: 1 }));
    feed.publish(engine.market({ id: 'm', side: 'buy', quantity: 5 }));
    expect([...feed.trades.state.values()]).toEqual([
      { price: 102, quantity: 1, side: 'buy', ts: 42 },
      { price: 103, quantity: 1, side: 'buy', ts: 42 },
      { price: 104, quantity: 1, side: 'buy', ts: 42 },
    ]);
    // Each tier has a trades stream of its own (so each can be sent at its tier's frequency), with the same trades.
    expect([...feed.tradesByTier.keys()]).toEqual(['pro', 'retail', 'mobile']);
    expect(feed.tradesByTier.get('mobile')!.stream).toBe('trades:TEST/mobile');
    for (const publisher of feed.tradesByTier.values()) {
      expect([...publisher.state.values()].map((trade) => trade.price)).toEqual([102, 103, 104]);
    }
  });
});

describe('tier views', () => {
  const book = () => {
    const levels = new LevelBook();
    for (let price = 1; price <= 30; price++) levels.bids.set(100 - price, price);
    return levels;
  };
  const retail: TierSpec = { name: 'retail', depth: 20, intervalMs: 0, binary: false };

  it('truncates to the top N, and a level moving into scope appears as the last one leaves', () => {
    const levels = book();
    const before = tierView(levels, retail);
    expect(before).toEqual(expectedTierView(new Map(levels.entries()), retail));
    expect([...before.keys()]).toHaveLength(20);
    expect(before.has(levelKey('bid', 80))).toBe(true);
    expect(before.has(levelKey('bid', 79))).toBe(false);
    levels.bids.set(99, 0); // the best level goes: 79 moves into scope
    const after = tierView(levels, retail);
    expect(viewChanges(before, after)).toEqual([
      { op: 'set', key: 'b:79', value: 21 },
      { op: 'remove', key: 'b:99' },
    ]);
  });

  it('groups bids down and asks up into buckets, never cutting the last bucket short', () => {
    const levels = new LevelBook();
    for (const [price, quantity] of [
      [100, 1],
      [99, 2],
      [95, 4],
      [94, 8],
      [89, 16],
    ] as const)
      levels.bids.set(price, quantity);
    for (const [price, quantity] of [
      [101, 1],
      [105, 2],
      [106, 4],
    ] as const)
      levels.asks.set(price, quantity);
    const mobile: TierSpec = { name: 'mobile', depth: 2, bucket: 5, intervalMs: 0, binary: false };
    expect(expectedTierView(new Map(levels.entries()), mobile)).toEqual(tierView(levels, mobile));
    expect(tierView(levels, mobile)).toEqual(
      new Map([
        ['b:100', 1], // 100 is its own bucket's floor
        ['b:95', 2 + 4], // 99 and 95 → 95
        ['a:105', 1 + 2], // 101 and 105 → 105
        ['a:110', 4], // 106 → 110
      ]),
    );
  });
});
