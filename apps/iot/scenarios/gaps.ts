/**
 * `pnpm scenario iot:gaps [--buildings 2] [--floors 5] [--devices 100] [--rate 1] [--seconds 60] [--broker aedes|mosquitto]
 *  [--seed S] [--smoke] [--write]`
 *
 * A simulated fleet (forked, seeded) runs through seeded faults — lost and reordered data, nodes that die without
 * DISCONNECT and come back with the next bdSeq, reconnects while alive, late wills of ended sessions, sensors
 * running hot — against the app's Sparkplug host on the embedded aedes (or on Debian's mosquitto). Then every dead
 * node comes back, the fleet runs clean for a while, and readings stop. Invariants: every gap the host saw ended in a
 * rebirth, every device converged to the simulator's truth, and every NDEATH the host acted on named a session that
 * had really ended (a late will never took a live node offline).
 */
import { LatencyRecorder } from '@twohop/metrics';
import { SeededRandom, seedFromEnv, waitFor } from '@twohop/testkit';
import { machine, writeBenchmarkSection, writeScenarioReport } from '@twohop/testkit/node';
import { parseArgs } from 'node:util';
import type { FleetFaultInput } from '../src/domain/faults.js';
import { fleetLayout } from '../src/domain/fleetLayout.js';
import { nodeKey } from '../src/domain/site.js';
import type { BridgeEvent, NodeDeath, SiteEvents } from '../src/domain/SiteEvents.js';
import { ignoreSiteEvents } from '../src/domain/SiteEvents.js';
import { createIotServer } from '../src/server/createIotServer.js';
import { startBrokerUnderTest, type BrokerKind } from './processes/brokerUnderTest.js';
import { converged } from './processes/convergence.js';

const { values } = parseArgs({
  options: {
    buildings: { type: 'string', default: '2' },
    floors: { type: 'string', default: '5' },
    devices: { type: 'string', default: '100' },
    rate: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '60' },
    broker: { type: 'string', default: 'aedes' },
    seed: { type: 'string', default: String(seedFromEnv()) },
    write: { type: 'boolean', default: false },
    /** The suite's size: 3 nodes × 10 devices at 5 readings/s, 6 s of faults. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke)
  Object.assign(values, { buildings: '1', floors: '3', devices: '10', rate: '5', seconds: '6' });
const seed = Number(values.seed);
const size = {
  buildings: Number(values.buildings),
  floors: Number(values.floors),
  devicesPerFloor: Number(values.devices),
};
const layout = fleetLayout(size);
const nodes = layout.nodes.map((node) => node.node);
console.log(
  `iot gaps: ${nodes.length} edge nodes × ${size.devicesPerFloor} devices at ${values.rate}/s, ${values.seconds} s of ` +
    `faults on ${values.broker} (seed ${seed}; TWOHOP_SEED=${seed} reruns it); ${machine()}`,
);

// What the host did, in order, with when (ms since start).
const started = Date.now();
const at = () => (Date.now() - started) / 1000;
const noticed: Array<{ t: number; event: BridgeEvent }> = [];
const births: Array<{ t: number; node: string }> = [];
const deaths: Array<{ t: number; death: NodeDeath }> = [];
const recorder: SiteEvents = {
  ...ignoreSiteEvents,
  bridge: (event) => noticed.push({ t: at(), event }),
  nodeBorn: (event) => births.push({ t: at(), node: nodeKey(event.node) }),
  nodeDied: (death) => deaths.push({ t: at(), death }),
};

const secret = `gaps-${seed}-secret-secret`;
const external =
  values.broker === 'mosquitto' ? await startBrokerUnderTest(values.broker as BrokerKind, secret) : undefined;
const app = await createIotServer({
  secret,
  events: recorder,
  // A short window, so holes become gaps (and rebirths) quickly; reordering by the simulator is one message deep.
  reorderTimeoutMs: 500,
  simulator: { size, seed, ratePerDevice: Number(values.rate) },
  ...(external === undefined ? {} : { mqttUrl: external.url }),
});
const simulator = app.devices.simulator!;
const random = new SeededRandom(seed);
const injected: Record<string, number> = {};
const dead = new Set<string>();

await waitFor(
  'every device born',
  () =>
    [...app.fleet.devices()].filter((d) => d.online).length === layout.nodes.length * size.devicesPerFloor,
  30_000,
);
console.log(`  fleet born after ${at().toFixed(1)} s; faults for ${values.seconds} s`);

// Seeded faults, a few a second; a node that died comes back 1–3 s later with the next bdSeq.
// The run opens with one of each data fault on the first node, so every invariant has something to check.
const scripted: FleetFaultInput[] = [
  { kind: 'lose', node: nodes[0]!, count: 2 },
  { kind: 'reorder', node: nodes[0]! },
  { kind: 'late-will', node: nodes[0]! },
];
const faultsUntil = Date.now() + Number(values.seconds) * 1000;
while (Date.now() < faultsUntil) {
  const node = random.pick(nodes);
  const roll = random.float();
  let fault: FleetFaultInput;
  const next = scripted.shift();
  if (next !== undefined) fault = next;
  else if (dead.has(node)) fault = { kind: 'reconnect', node };
  else if (roll < 0.35) fault = { kind: 'lose', node, count: random.int(1, 3) };
  else if (roll < 0.65) fault = { kind: 'reorder', node };
  else if (roll < 0.72) fault = { kind: 'die', node };
  else if (roll < 0.8) fault = { kind: 'reconnect', node };
  else if (roll < 0.9) fault = { kind: 'late-will', node };
  else {
    const device = random.pick(layout.nodes.find((plan) => plan.node === node)!.devices).device;
    fault = random.chance(0.5) ? { kind: 'hot', node, device, by: 2 } : { kind: 'cool', node, device };
  }
  await simulator.fault(fault as Parameters<typeof simulator.fault>[0]);
  injected[fault.kind] = (injected[fault.kind] ?? 0) + 1;
  if (fault.kind === 'die') dead.add(node);
  if (fault.kind === 'reconnect') dead.delete(node);
  await new Promise((resolve) => setTimeout(resolve, random.int(100, 400)));
}

// Recovery: every dead node comes back, the fleet runs clean (so every hole is followed by data), then stops.
for (const node of dead) await simulator.fault({ kind: 'reconnect', node });
await new Promise((resolve) => setTimeout(resolve, 3000));
await simulator.pause(true);
const pausedAt = at();
const truth = await simulator.truth();
let result = converged(app.fleet.snapshot(), truth);
const deadline = Date.now() + 20_000;
while (!result.ok && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  result = converged(app.fleet.snapshot(), truth);
}
const convergedAfter = at() - pausedAt;
const stats = await simulator.stats();
const ended = await simulator.endedSessions();
// The nodes' clean NDEATHs at shutdown are not part of the run.
const deathsInRun = deaths.splice(0);
await app.close();
await external?.close();

const count = (type: BridgeEvent['type']) => noticed.filter(({ event }) => event.type === type).length;
const gaps = noticed.filter(({ event }) => event.type === 'gap');
const unanswered = gaps.filter(
  ({ t, event }) =>
    !births.some(
      (birth) =>
        birth.node === nodeKey((event as { node: { group: string; node: string } }).node) && birth.t >= t,
    ),
);
const wrongDeaths = deathsInRun.filter(
  ({ death }) => death.cause === 'ndeath' && !(ended[death.node.node] ?? []).includes(death.bdSeq),
);
const rows: Array<[string, number]> = [
  ['faults injected', Object.values(injected).reduce((a, b) => a + b, 0)],
  ...Object.entries(injected).map(([kind, n]): [string, number] => [`  ${kind}`, n]),
  ['messages sent by the fleet', stats.sent],
  ['data messages lost', stats.lost],
  ['gaps the host detected', gaps.length],
  ['rebirths requested', count('rebirth-requested')],
  ['rebirths answered by nodes', stats.rebirths],
  ['arrivals put back in order', count('reordered')],
  ['stale NDEATHs ignored', count('stale-death-ignored')],
  [
    'nodes taken offline by a current NDEATH',
    deathsInRun.filter(({ death }) => death.cause === 'ndeath').length,
  ],
  ['sessions opened', stats.sessions],
  ['devices compared', result.compared],
];
const table = ['| | count |', '|---|---:|', ...rows.map(([name, n]) => `| ${name} | ${n} |`)].join('\n');
console.log(table);
const perSecond = (type: BridgeEvent['type']) => {
  const buckets = new Map<number, number>();
  for (const { t, event } of noticed)
    if (event.type === type) buckets.set(Math.floor(t), (buckets.get(Math.floor(t)) ?? 0) + 1);
  return [...buckets].sort(([a], [b]) => a - b);
};
// How long the host went without a node's data after a gap: from the gap to the node's rebirth.
const gapToRebirth = new LatencyRecorder();
for (const { t, event } of gaps) {
  const node = nodeKey((event as { node: { group: string; node: string } }).node);
  const birth = births.find((b) => b.node === node && b.t >= t);
  if (birth !== undefined) gapToRebirth.record((birth.t - t) * 1000);
}
const ok = writeScenarioReport({
  scenario: 'iot-gaps',
  params: { ...values, seed, nodes: nodes.length },
  table: { headers: ['', 'count'], rows },
  invariants: [
    {
      name: 'the faults made gaps',
      ok: gaps.length > 0,
      detail: `${gaps.length} gaps from ${stats.lost} lost messages`,
    },
    {
      name: 'every gap ended in a rebirth',
      ok: unanswered.length === 0,
      detail: `${gaps.length - unanswered.length} of ${gaps.length} gaps followed by the node's NBIRTH`,
    },
    {
      name: "every device converged to the simulator's truth",
      ok: result.ok,
      detail: result.ok
        ? `${result.compared} devices equal ${convergedAfter.toFixed(1)} s after readings stopped`
        : `${result.mismatches.length} differ, e.g. ${result.mismatches.slice(0, 3).join('; ')}`,
    },
    {
      name: 'no stale NDEATH took a live node offline',
      ok: wrongDeaths.length === 0 && count('stale-death-ignored') > 0,
      detail: `${count('stale-death-ignored')} stale NDEATHs ignored; ${wrongDeaths.length} deaths named a live session`,
    },
  ],
  latency: { 'gap → rebirth': gapToRebirth.distribution() },
  overTime: [
    {
      title: 'What the host noticed, per second',
      unit: 'events',
      series: {
        gaps: perSecond('gap'),
        'rebirths requested': perSecond('rebirth-requested'),
        'put back in order': perSecond('reordered'),
        'stale NDEATH ignored': perSecond('stale-death-ignored'),
      },
    },
  ],
});
if (values.write)
  writeBenchmarkSection(
    'iot-gaps',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario iot:gaps --write\` (seed ${seed}, ${values.broker}) on: ${machine()}.`,
      '',
      `${nodes.length} edge nodes × ${size.devicesPerFloor} devices at ${values.rate} reading/s each, ${values.seconds} s of seeded faults;`,
      `readings stopped 3 s after the last fault, and every device matched the simulator ${convergedAfter.toFixed(1)} s later.`,
      '',
      table,
    ].join('\n'),
  );
process.exit(ok ? 0 : 1);
