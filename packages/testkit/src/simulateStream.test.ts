import { keyedState, type KeyedChange, type KeyedSnapshot, type KeyedState } from '@twohop/snapshot-delta';
import { describe, expect, it } from 'vitest';
import { simulateStream } from './simulateStream.js';
import { testSeed } from './testSeed.js';
import { brokenReplica, brokenRules, type BrokenRule } from './brokenReplicas.js';
import type { FaultRates, SimulatedReplica } from './simulationTypes.js';

// Fixed by default so CI is reproducible; set TWOHOP_SEED to explore other runs (`pnpm scenario simulation`
// runs thousands with fresh seeds).
const baseSeed = testSeed('simulateStream (base seed; round i runs seed + i)', 20261121);
const ROUNDS = 1000;

describe(`simulateStream (base seed ${baseSeed}; rerun one with TWOHOP_SEED=<seed>)`, () => {
  it(`converges in ${ROUNDS} seeded rounds of drop, duplicate, reorder, corruption, disconnect, resume, restart, new epochs and conflation — every 4th without checksums`, () => {
    const totals = {
      resyncs: 0,
      checksumResyncs: 0,
      replays: 0,
      snapshots: 0,
      conflated: 0,
      restarts: 0,
      epochResets: 0,
      corrupted: 0,
      dropped: 0,
      duplicated: 0,
    };
    let withoutChecksums = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const seed = baseSeed + round;
      // Without checksums, only the seq and epoch rules keep a replica right: nothing repairs their mistakes.
      const checksum = round % 4 !== 3;
      const result = simulateStream({ seed, changes: 150, checksum });
      if (!result.converged) {
        throw new Error(`seed ${seed} did not converge:\n  ${result.problems.join('\n  ')}`);
      }
      if (!checksum) {
        withoutChecksums++;
        expect(result.counts.checksumResyncs + result.counts.corrupted).toBe(0);
      }
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += result.counts[key];
    }
    console.log(
      `simulation: ${ROUNDS} rounds (${withoutChecksums} without checksums) from seed ${baseSeed}`,
      totals,
    );
    // Every recovery path was exercised, not just the happy one.
    for (const [name, count] of Object.entries(totals)) expect(count, name).toBeGreaterThan(0);
  });

  it('the real Replica never resyncs on a checksum when nothing corrupts the data: the seq and epoch rules act first', () => {
    // Checksums on, every fault but corruption: a checksum mismatch here would mean a seq or epoch rule let a wrong
    // state through and rule 5 covered for it.
    for (let round = 0; round < 250; round++) {
      const result = simulateStream({ seed: baseSeed + round, changes: 150, faults: { corrupt: 0 } });
      expect(result.converged, `seed ${baseSeed + round}`).toBe(true);
      expect(result.counts.checksumResyncs, `seed ${baseSeed + round}`).toBe(0);
    }
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

/**
 * Each canary breaks one client rule of the real Replica; each runs in rounds whose faults exercise that rule, and
 * the seq and epoch rules' canaries run without checksums (with them, a checksum resync repairs the damage — which
 * the last test shows). The real Replica runs the same rounds as the control: they are passable.
 */
describe(`single-rule canaries (base seed ${baseSeed})`, () => {
  const CANARY_ROUNDS = 40;
  const rounds: Record<BrokenRule, { checksum: boolean; keys: number; faults: Partial<FaultRates> }> = {
    // Many keys, so a change lost in a gap is rarely overwritten later (keyed state heals by overwrite).
    'no-gap-check': { checksum: false, keys: 64, faults: {} },
    // Few keys and many late duplicates, so a re-applied duplicate often brings back an overwritten value.
    'duplicates-reapplied': { checksum: false, keys: 8, faults: { duplicate: 0.2, reorder: 0.2 } },
    // New epochs under live links, and no restarts (whose fresh snapshots would hide an ignored epoch).
    'epoch-ignored': { checksum: false, keys: 16, faults: { epochReset: 0.02, restart: 0 } },
    // Silent corruption that only rule 5 can notice.
    'checksum-ignored': { checksum: true, keys: 64, faults: { corrupt: 0.05 } },
  };

  it.each(brokenRules)('the simulation catches a replica with %s', (rule) => {
    const { checksum, keys, faults } = rounds[rule];
    let caught = 0;
    for (let round = 0; round < CANARY_ROUNDS; round++) {
      const options = { seed: baseSeed + round, changes: 150, checksum, keys, faults };
      expect(simulateStream(options).converged, `control, seed ${options.seed}`).toBe(true);
      if (!simulateStream({ ...options, createReplica: brokenReplica(rule, { checksum }) }).converged)
        caught++;
    }
    expect(caught, `${rule}: caught in ${caught} of ${CANARY_ROUNDS} rounds`).toBeGreaterThanOrEqual(
      CANARY_ROUNDS / 5,
    );
  });

  it.each(['no-gap-check', 'duplicates-reapplied'] as const)(
    'with checksums on, a replica with %s converges only through checksum resyncs',
    (rule) => {
      let checksumResyncs = 0;
      for (let round = 0; round < CANARY_ROUNDS; round++) {
        const { keys, faults } = rounds[rule];
        const options = { seed: baseSeed + round, changes: 150, keys, faults: { ...faults, corrupt: 0 } };
        const result = simulateStream({ ...options, createReplica: brokenReplica(rule, { checksum: true }) });
        checksumResyncs += result.counts.checksumResyncs;
      }
      expect(checksumResyncs).toBeGreaterThan(0);
    },
  );
});
