import { ConflatingQueue } from '@twohop/conflation';
import type { KeyedChange } from '@twohop/snapshot-delta';
import { orderBookWorkload } from '@twohop/testkit';
import { measure, type BenchRow } from './benchTable.js';

interface Queued {
  key: string;
  value: KeyedChange<number>;
  seq: number;
}

/**
 * ConflatingQueue pushes on an order-book stream, drained every `drainEvery` pushes (a consumer that keeps up in
 * bursts), beside a baseline array queue that never merges. Also reports what each holds when the consumer stalls.
 */
export function benchConflatingQueue(
  changeCount = 1_000_000,
  drainEvery = 1000,
): {
  rows: BenchRow[];
  stalled: { conflating: number; array: number };
  burstHighWater: number;
} {
  const changes = orderBookWorkload({ changes: changeCount, seed: 11 });
  let queue = new ConflatingQueue<string, KeyedChange<number>>();
  let array: Queued[] = [];
  let sink = 0;
  const rows = measure(
    `${changeCount.toLocaleString('en')} pushes, drained every ${drainEvery}`,
    changeCount,
    {
      ConflatingQueue: {
        setup: () => {
          queue = new ConflatingQueue();
        },
        run: () => {
          for (let i = 0; i < changes.length; i++) {
            const change = changes[i] as KeyedChange<number>;
            queue.push(change.key, change, i + 1);
            if ((i + 1) % drainEvery === 0) sink += queue.drain()?.changes.length ?? 0;
          }
        },
      },
      'baseline: array queue, no merging': {
        setup: () => {
          array = [];
        },
        run: () => {
          for (let i = 0; i < changes.length; i++) {
            const change = changes[i] as KeyedChange<number>;
            array.push({ key: change.key, value: change, seq: i + 1 });
            if ((i + 1) % drainEvery === 0) {
              sink += array.length;
              array = [];
            }
          }
        },
      },
    },
  );
  if (sink === 0) throw new Error('nothing drained');

  // A consumer that never drains: the conflating queue holds one entry per key, the array everything.
  const stalledQueue = new ConflatingQueue<string, KeyedChange<number>>();
  changes.forEach((change, i) => stalledQueue.push(change.key, change, i + 1));

  // The burst: 100,000 changes over 100 keys.
  const burst = new ConflatingQueue<number, number>();
  for (let seq = 1; seq <= 100_000; seq++) burst.push(seq % 100, seq, seq);

  return {
    rows,
    stalled: { conflating: stalledQueue.stats.highWater, array: changes.length },
    burstHighWater: burst.stats.highWater,
  };
}
