import type { KeyedChange } from '@twohop/snapshot-delta';
import { levelKey, type LevelBook } from './LevelBook.js';
import type { SortedLevels } from './SortedLevels.js';

/** A tier's view of the book: what its subscribers see, and how often. */
export interface TierSpec {
  readonly name: 'pro' | 'retail' | 'mobile';
  /** Levels (or buckets) per side; undefined = full depth. */
  readonly depth?: number;
  /** Price bucket size in ticks, for grouped tiers. */
  readonly bucket?: number;
  /** The least time between two frames to one subscriber. */
  readonly intervalMs: number;
  /** Binary protobuf frames. */
  readonly binary: boolean;
}

/** The three tiers, with the bucket size of `mobile` configurable per symbol. */
export function tiers(mobileBucket: number): TierSpec[] {
  return [
    { name: 'pro', intervalMs: 0, binary: true },
    { name: 'retail', depth: 20, intervalMs: 100, binary: false },
    { name: 'mobile', depth: 10, bucket: mobileBucket, intervalMs: 1000, binary: false },
  ];
}

/**
 * The levels a tier shows, as wire keys → quantity. Top-N takes the best N levels per side. Grouping sums levels
 * into price buckets — bids round down, asks round up, so a bucket never shows a better price than exists — and
 * keeps the best N buckets; a bucket counts only once every level in it has been seen, so the last bucket is never
 * cut short at the edge of what was read.
 */
export function tierView(book: LevelBook, spec: TierSpec): Map<string, number> {
  const view = new Map<string, number>();
  for (const [levels, side] of [
    [book.bids, 'bid'],
    [book.asks, 'ask'],
  ] as const) {
    if (spec.bucket === undefined) {
      for (const [price, quantity] of levels.top(spec.depth ?? levels.size))
        view.set(levelKey(side, price), quantity);
    } else {
      for (const [price, quantity] of grouped(levels, side, spec.bucket, spec.depth ?? 10)) {
        view.set(levelKey(side, price), quantity);
      }
    }
  }
  return view;
}

function grouped(
  levels: SortedLevels,
  side: 'bid' | 'ask',
  size: number,
  depth: number,
): Array<[number, number]> {
  const buckets: Array<[number, number]> = [];
  levels.walk((price, quantity) => {
    const bucket = side === 'bid' ? Math.floor(price / size) * size : Math.ceil(price / size) * size;
    const last = buckets[buckets.length - 1];
    if (last !== undefined && last[0] === bucket) {
      last[1] += quantity;
      return true;
    }
    // A new bucket: the previous ones are complete. Stop once `depth` buckets are.
    if (buckets.length === depth) return false;
    buckets.push([bucket, quantity]);
    return true;
  });
  return buckets;
}

/** The keyed changes that turn view `before` into view `after` (sets for new or changed levels, removals for gone). */
export function viewChanges(before: Map<string, number>, after: Map<string, number>): KeyedChange<number>[] {
  const changes: KeyedChange<number>[] = [];
  for (const [key, quantity] of after) {
    if (before.get(key) !== quantity) changes.push({ op: 'set', key, value: quantity });
  }
  for (const key of before.keys()) if (!after.has(key)) changes.push({ op: 'remove', key });
  return changes;
}
