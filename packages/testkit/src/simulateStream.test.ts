import { keyedState, type KeyedChange, type KeyedSnapshot, type KeyedState } from '@twohop/snapshot-delta';
import { describe, expect, it } from 'vitest';
import { simulateStream } from './simulateStream.js';
import { testSeed } from './testSeed.js';
import type { SimulatedReplica } from './simulationTypes.js';

// Fixed by default so CI is reproducible; set TWOHOP_SEED to explore other runs (`pnpm scenario simulation`
// runs thousands with fresh seeds).
const baseSeed = testSeed('simulateStream (base seed; round i runs seed + i)', 20261121);
const ROUNDS = 1000;

describe(`simulateStream (base seed ${baseSeed}; rerun one with TWOHOP_SEED=<seed>)`, () => {
  it(`converges in ${ROUNDS} seeded rounds of drop, duplicate, reorder, disconnect, resume, restart and conflation`, () => {
    const totals = { resyncs: 0, replays: 0, snapshots: 0, conflated: 0, restarts: 0, dropped: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const seed = baseSeed + round;
      const result = simulateStream({ seed, changes: 150 });
      if (!result.converged) {
        throw new Error(`seed ${seed} did not converge:\n  ${result.problems.join('\n  ')}`);
      }
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += result.counts[key];
    }
    console.log(`simulation: ${ROUNDS} rounds from seed ${baseSeed}`, totals);
    // Every recovery path was exercised, not just the happy one.
    for (const [name, count] of Object.entries(totals)) expect(count, name).toBeGreaterThan(0);
  });

  it('is reproducible from its seed', () => {
    expect(simulateStream({ seed: 42 })).toEqual(simulateStream({ seed: 42 }));
  });

  it('catches a replica that applies every delta without sequence checks', () => {
    // A naive replica: a Map with deltas applied as they arrive (no gap, duplicate or epoch rules).
    const naive = (): SimulatedReplica => {
      const model = keyedState<number>();
      const state: KeyedState<number> = model.create();
      let position: { epoch: string; seq: number } | undefined;
      return {
        status: 'live',
        get position() {
          return position;
        },
        state,
        receive(message) {
          const apply = (m: { epoch: string; seq: number; data: readonly KeyedChange<number>[] }) => {
            model.apply(state, m.data);
            position = { epoch: m.epoch, seq: m.seq };
          };
          if (message.type === 'snapshot') {
            state.clear();
            for (const [key, value] of message.data as KeyedSnapshot<number>) state.set(key, value);
            position = { epoch: message.epoch, seq: message.seq };
          } else if (message.type === 'delta') apply(message);
          else message.items.forEach(apply);
        },
      };
    };
    const diverged = Array.from({ length: 20 }, (_, i) =>
      simulateStream({ seed: baseSeed + i, createReplica: naive }),
    ).filter((result) => !result.converged);
    expect(diverged.length).toBeGreaterThan(0);
  });
});
