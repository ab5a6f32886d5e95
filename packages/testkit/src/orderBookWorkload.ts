import type { KeyedChange } from '@twohop/snapshot-delta';
import { SeededRandom } from './SeededRandom.js';

/** Options for {@link orderBookWorkload}. */
export interface OrderBookWorkloadOptions {
  /** How many keyed changes. */
  changes: number;
  /** Price levels per side. @default 1000 */
  levelsPerSide?: number;
  /** Share of changes that remove a level. @default 0.1 */
  removeRate?: number;
  /**
   * Mean distance from the top of the book, in levels, of a change: changes cluster near the top as in real books
   * (exponentially distributed). @default 50
   */
  meanDepth?: number;
  /** @default 1 */
  seed?: number;
}

/**
 * An order-book-like stream of keyed changes: keys `bid:<level>` / `ask:<level>`, quantities as values, most
 * changes near the top of the book and a share of removals — the load the core packages are benchmarked on.
 */
export function orderBookWorkload(options: OrderBookWorkloadOptions): KeyedChange<number>[] {
  const random = new SeededRandom(options.seed ?? 1);
  const levels = options.levelsPerSide ?? 1000;
  const removeRate = options.removeRate ?? 0.1;
  const meanDepth = options.meanDepth ?? 50;
  const changes: KeyedChange<number>[] = new Array(options.changes);
  for (let i = 0; i < options.changes; i++) {
    const depth = Math.min(levels - 1, Math.floor(-Math.log(1 - random.float()) * meanDepth));
    const key = `${random.chance(0.5) ? 'bid' : 'ask'}:${depth}`;
    changes[i] = random.chance(removeRate)
      ? { op: 'remove', key }
      : { op: 'set', key, value: random.int(1, 10_000) };
  }
  return changes;
}
