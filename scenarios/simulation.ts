/**
 * `pnpm scenario simulation [--rounds N] [--seed S] [--heavy] [--forever] [--smoke]`
 *
 * Runs the lossy-network simulation (one publisher, four replicas, two of them slow and conflated) for many fresh
 * seeds and reports what the faults did and whether every replica converged. The test suite runs 1,000 fixed
 * rounds; this is the long run. `--forever` keeps going, one line a second, until SIGINT or SIGTERM. The report
 * charts the time each round took (its distribution) and rounds, faults and recoveries per second over the run.
 */
import { parseArgs } from 'node:util';
import {
  emptySimulationCounts,
  simulateStream,
  type FaultRates,
  type SimulationCounts,
} from '@twohop/testkit';
import { LatencyRecorder, TimeSeries } from '@twohop/metrics';
import { writeScenarioReport } from '@twohop/testkit/node';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    heavy: { type: 'boolean', default: false },
    forever: { type: 'boolean', default: false },
    /** A small, quick run (the test suite's): 200 rounds. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke) values.rounds = '200';

const heavyFaults: Partial<FaultRates> = {
  drop: 0.15,
  duplicate: 0.1,
  reorder: 0.15,
  disconnect: 0.05,
  restart: 0.01,
  epochReset: 0.01,
  corrupt: 0.02,
};
const baseSeed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
const rounds = values.forever ? Number.POSITIVE_INFINITY : Number(values.rounds);
console.log(
  `simulation: base seed ${baseSeed}${values.heavy ? ', heavy faults' : ''} (reproduce one round with --seed)`,
);

const totals = { rounds: 0, failed: 0, ...emptySimulationCounts() };
/** How long each round took, and per 250 ms: rounds, messages dropped and resyncs. */
const roundMs = new LatencyRecorder();
const overTime = { rounds: new TimeSeries(), dropped: new TimeSeries(), resyncs: new TimeSeries() };

let stopping = false;
process.once('SIGINT', () => (stopping = true));
process.once('SIGTERM', () => (stopping = true));

const runRound = () => {
  const seed = baseSeed + totals.rounds;
  const started = performance.now();
  const result = simulateStream({
    seed,
    replicas: 4,
    conflatingReplicas: 2,
    changes: 200,
    ...(values.heavy ? { faults: heavyFaults } : {}),
  });
  roundMs.record(performance.now() - started);
  overTime.rounds.count();
  overTime.dropped.count(result.counts.dropped);
  overTime.resyncs.count(result.counts.resyncs);
  totals.rounds++;
  for (const key of Object.keys(result.counts) as (keyof SimulationCounts)[]) {
    totals[key] += result.counts[key];
  }
  if (!result.converged) {
    totals.failed++;
    console.error(`seed ${seed} did not converge:\n  ${result.problems.join('\n  ')}`);
  }
};

const report = () =>
  `${totals.rounds} rounds, ${totals.failed} failed | published ${totals.published}, dropped ${totals.dropped}, ` +
  `duplicated ${totals.duplicated}, corrupted ${totals.corrupted}, disconnects ${totals.disconnects}, ` +
  `restarts ${totals.restarts}, new epochs under live links ${totals.epochResets}, resyncs ${totals.resyncs} ` +
  `(on a checksum ${totals.checksumResyncs}), resumes by replay ${totals.replays}, snapshots ${totals.snapshots}, ` +
  `conflated deltas ${totals.conflated}`;

// Rounds run in small batches with a turn of the event loop in between, so SIGINT/SIGTERM stop the run promptly.
// --forever paces itself to about 50 rounds a second and prints a line each second.
const yieldTurn = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let lastReport = Date.now();
while (totals.rounds < rounds && !stopping) {
  for (let i = 0; i < 10 && totals.rounds < rounds; i++) runRound();
  if (values.forever && Date.now() - lastReport >= 1000) {
    console.log(report());
    lastReport = Date.now();
  }
  await yieldTurn(values.forever ? 200 : 0);
}
console.log(report());
if (stopping) console.log(`stopped by signal after ${totals.rounds} rounds`);
console.log(totals.failed === 0 ? 'every round converged' : `${totals.failed} rounds did NOT converge`);
const faults = totals.dropped + totals.duplicated + totals.corrupted + totals.disconnects + totals.restarts;
const ok = writeScenarioReport({
  scenario: 'simulation',
  params: { rounds: totals.rounds, seed: baseSeed, heavy: values.heavy, smoke: values.smoke },
  table: {
    headers: ['', 'count'],
    rows: [
      ['rounds', totals.rounds],
      ['rounds that did not converge', totals.failed],
      ...Object.entries(emptySimulationCounts()).map(([key]): [string, number] => [
        key,
        totals[key as keyof SimulationCounts],
      ]),
    ],
  },
  invariants: [
    { name: 'faults were injected', ok: faults > 0 && totals.resyncs > 0, detail: report() },
    {
      name: 'every replica of every round converged',
      ok: totals.failed === 0 && totals.rounds > 0,
      detail: `${totals.failed} of ${totals.rounds} rounds did not`,
    },
  ],
  latency: { 'one round (publish, faults, settle)': roundMs.distribution() },
  overTime: [
    {
      title: 'Rounds, messages dropped and resyncs per second',
      unit: 'per second',
      series: {
        rounds: overTime.rounds.points(),
        'messages dropped': overTime.dropped.points(),
        resyncs: overTime.resyncs.points(),
      },
    },
  ],
});
process.exitCode = ok ? 0 : 1;
