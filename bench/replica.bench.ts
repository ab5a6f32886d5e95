import { orderBookWorkload } from '@twohop/testkit';
import { keyedState, Replica, type DeltaMessage, type KeyedChange } from '@twohop/snapshot-delta';
import { measure, type BenchRow } from './benchTable.js';

type Delta = DeltaMessage<readonly KeyedChange<number>[]>;

/** Numbers `changes` into deltas of `perDelta` changes each, as a publisher would. */
function toDeltas(changes: KeyedChange<number>[], perDelta: number): Delta[] {
  const deltas: Delta[] = [];
  for (let i = 0, seq = 1; i < changes.length; i += perDelta, seq++) {
    deltas.push({
      type: 'delta',
      stream: 'book:BENCH',
      epoch: 'e',
      seq,
      data: changes.slice(i, i + perDelta),
    });
  }
  return deltas;
}

/**
 * The Replica on an order-book stream (1,000 levels per side, 10% removals, clustered near the top), beside a
 * naive baseline: a Map the same deltas are applied to with no sequence, epoch or checksum rules.
 */
export function benchReplica(changeCount = 1_000_000): BenchRow[] {
  const changes = orderBookWorkload({ changes: changeCount, seed: 7 });
  const rows: BenchRow[] = [];
  for (const perDelta of [1, 10]) {
    const deltas = toDeltas(changes, perDelta);
    let replica = new Replica({ model: keyedState<number>(), onResync: () => {} });
    let map = new Map<string, number>();
    const workload = `${changeCount.toLocaleString('en')} keyed changes, ${perDelta} per delta`;
    rows.push(
      ...measure(workload, changeCount, {
        'Replica (rules 1–6)': {
          setup: () => {
            replica = new Replica({ model: keyedState<number>(), onResync: () => {} });
            replica.applySnapshot({ type: 'snapshot', stream: 'book:BENCH', epoch: 'e', seq: 0, data: [] });
          },
          run: () => {
            for (const delta of deltas) replica.applyDelta(delta);
            if (replica.position?.seq !== deltas.length) throw new Error('replica fell behind');
          },
        },
        'baseline: Map, no sequence checks': {
          setup: () => {
            map = new Map();
          },
          run: () => {
            for (const delta of deltas) {
              for (const change of delta.data) {
                if (change.op === 'set') map.set(change.key, change.value);
                else map.delete(change.key);
              }
            }
          },
        },
      }),
    );
  }
  return rows;
}
