/**
 * `pnpm scenario iot:dashboards [--buildings 2] [--floors 5] [--devices 100] [--rate 1] [--dashboards 50]
 *  [--visible 50] [--seconds 10] [--stall 10] [--seed S] [--smoke] [--write]`
 *
 * What visible-only subscription saves, and what a stalled dashboard costs. A simulated fleet (forked, seeded) feeds
 * the app; then, one after the other, `--dashboards` SSE dashboards that each show `--visible` devices (their own
 * view, at 250 ms) and as many that follow every device (the `devices` stream, at its 1 s) — bytes and frames per
 * dashboard per second, side by side. Then one dashboard stops reading its SSE response (at the TCP level) for
 * `--stall` seconds while its devices keep changing: the server's queue for it is sampled throughout, and after it
 * reads again its copy of the view, rebuilt from the bytes it received, must equal the server's.
 */
import { startApp } from '@twohop/app-kit';
import { sleep } from '@twohop/scenarios';
import { keyedState, Replica, type KeyedSnapshot } from '@twohop/snapshot-delta';
import { seedFromEnv, waitFor } from '@twohop/testkit';
import {
  machine,
  openStallableEventStream,
  writeBenchmarkSection,
  writeScenarioReport,
} from '@twohop/testkit/node';
import { parseArgs } from 'node:util';
import { MAX_VISIBLE, type DeviceReading } from '../src/domain/dashboardWire.js';
import { fleetLayout } from '../src/domain/fleetLayout.js';
import { createIotServer } from '../src/server/createIotServer.js';
import type { DashboardsResult } from './processes/dashboardClients.js';
import { startDashboards } from './processes/runDashboards.js';

const { values } = parseArgs({
  options: {
    buildings: { type: 'string', default: '2' },
    floors: { type: 'string', default: '5' },
    devices: { type: 'string', default: '100' },
    rate: { type: 'string', default: '1' },
    dashboards: { type: 'string', default: '50' },
    visible: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    stall: { type: 'string', default: '10' },
    seed: { type: 'string', default: String(seedFromEnv()) },
    write: { type: 'boolean', default: false },
    /** The suite's size: 60 devices at 2/s, 5 dashboards a side for 3 s, a 3 s stall. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke)
  Object.assign(values, {
    buildings: '1',
    floors: '2',
    devices: '30',
    rate: '2',
    dashboards: '5',
    visible: '10',
    seconds: '3',
    stall: '3',
  });
const seed = Number(values.seed);
const size = {
  buildings: Number(values.buildings),
  floors: Number(values.floors),
  devicesPerFloor: Number(values.devices),
};
const layout = fleetLayout(size);
const devices = layout.nodes.flatMap((node) =>
  node.devices.map((d) => `${layout.group}/${node.node}/${d.device}`),
);
const seconds = Number(values.seconds);
console.log(
  `iot dashboards: ${devices.length} devices at ${values.rate}/s; ${values.dashboards} dashboards × ${values.visible} visible vs ` +
    `${values.dashboards} following everything, ${seconds} s each; a ${values.stall} s stall (seed ${seed}); ${machine()}`,
);

const server = await createIotServer({ simulator: { size, seed, ratePerDevice: Number(values.rate) } });
const app = await startApp(server);
await waitFor(
  'every device born',
  () => [...server.fleet.devices()].filter((d) => d.online).length === devices.length,
  60_000,
);

/** One side of the comparison: its dashboards, measured for `seconds`. */
async function measure(mode: 'visible' | 'everything'): Promise<DashboardsResult & { ready: number }> {
  const dashboards = await startDashboards({
    url: app.url,
    dashboards: Number(values.dashboards),
    visible: Number(values.visible),
    mode,
    rateMs: 250,
    seed,
    fleet: size,
  });
  await dashboards.measure();
  await sleep(seconds * 1000);
  return { ...(await dashboards.result()), ready: dashboards.ready };
}
const visible = await measure('visible');
const everything = await measure('everything');

// The stalled dashboard: the most devices a view may show keep changing while it reads nothing (more than the
// kernel's socket buffers take in the stall, so the server has to hold some of it).
const stallVisible = Math.min(devices.length, MAX_VISIBLE);
const viewId = `stalled-dashboard-${seed}`;
await fetch(`${app.url}/api/views/${viewId}`, {
  method: 'PUT',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ devices: devices.slice(0, stallVisible), rateMs: 250 }),
});
const stream = await openStallableEventStream(`${app.url}/api/sse?stream=view:${viewId}`);
await waitFor('the stalled dashboard snapshot', () => stream.text().includes('event: snapshot'));
const queued = () => Math.max(0, ...server.sse.inspect().map((connection) => connection.queuedChanges));
stream.stall();
const samples: Array<[number, number]> = [];
const stallStart = Date.now();
// Sampled five times per flush window (the view's 250 ms): a sample once per window can land just after each flush
// and see nothing queued on a busy machine.
while (Date.now() - stallStart < Number(values.stall) * 1000) {
  await sleep(50);
  samples.push([(Date.now() - stallStart) / 1000, queued()]);
}
const peak = Math.max(0, ...samples.map(([, n]) => n));
stream.resume();
await sleep(1500);
await server.devices.simulator!.pause(true);
await sleep(1500);

/** The stalled dashboard's copy of its view, rebuilt from the SSE text it received. */
const resyncs: string[] = [];
const replica = new Replica({
  model: keyedState<DeviceReading>(),
  onResync: (reason) => resyncs.push(reason),
});
for (const block of stream.text().split('\n\n')) {
  const event = /^event: (\w+)$/m.exec(block)?.[1];
  const data = /^data: (.*)$/m.exec(block)?.[1];
  if (data !== undefined && (event === 'snapshot' || event === 'delta' || event === 'batch'))
    replica.receive(JSON.parse(data));
}
const truth = server.hub.views.resolve(`view:${viewId}`)!.source.snapshot();
const sortedJson = (entries: KeyedSnapshot<DeviceReading>) =>
  JSON.stringify([...entries].sort(([a], [b]) => a.localeCompare(b)));
const converged =
  resyncs.length === 0 &&
  replica.position?.seq === truth.seq &&
  sortedJson([...replica.state]) === sortedJson(truth.data as KeyedSnapshot<DeviceReading>);
stream.close();
await app.close();

const perSecond = (value: number) => value / seconds;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const rows: Array<[string, DashboardsResult & { ready: number }]> = [
  [`visible-only: ${values.visible} devices, 250 ms`, visible],
  [`everything: ${devices.length} devices, 1 s`, everything],
];
const table = [
  '| dashboard | dashboards | frames/s per dashboard | bytes/s per dashboard | readings/s per dashboard | sensor → dashboard p50 | p99 |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    ([name, r]) =>
      `| ${name} | ${r.ready} | ${perSecond(r.framesPerDashboard).toFixed(1)} | ${kb(perSecond(r.bytesPerDashboard))} | ${(perSecond(r.readings) / r.dashboards).toFixed(0)} | ${r.sensorToDashboard.p50.toFixed(0)} ms | ${r.sensorToDashboard.p99.toFixed(0)} ms |`,
  ),
].join('\n');
const ratio = everything.bytesPerDashboard / Math.max(1, visible.bytesPerDashboard);
const stallLine = `A dashboard showing ${stallVisible} devices stalled ${values.stall} s: its queue peaked at ${peak} changes (one per device at most), and it converged after reading again: ${converged}.`;
console.log(`${table}\n\neverything costs ${ratio.toFixed(1)}× the bytes of visible-only. ${stallLine}`);
const ok = writeScenarioReport({
  scenario: 'iot-dashboards',
  params: { ...values, seed, devices: devices.length },
  table: {
    headers: ['dashboard', 'frames/s each', 'bytes/s each', 'sensor p50 ms', 'sensor p99 ms'],
    rows: rows.map(([name, r]) => [
      name,
      Number(perSecond(r.framesPerDashboard).toFixed(1)),
      Math.round(perSecond(r.bytesPerDashboard)),
      r.sensorToDashboard.p50,
      r.sensorToDashboard.p99,
    ]),
  },
  invariants: [
    {
      name: 'every dashboard went live',
      ok: visible.ready === visible.dashboards && everything.ready === everything.dashboards,
      detail: `${visible.ready} + ${everything.ready} of ${visible.dashboards + everything.dashboards}`,
    },
    {
      name: 'a visible-only dashboard receives less than one following everything',
      ok: visible.bytesPerDashboard < everything.bytesPerDashboard,
      detail: `${kb(perSecond(visible.bytesPerDashboard))}/s vs ${kb(perSecond(everything.bytesPerDashboard))}/s (${ratio.toFixed(1)}×)`,
    },
    {
      name: 'the stalled dashboard stayed bounded: at most one queued change per visible device',
      ok: peak > 0 && peak <= stallVisible,
      detail: `peak ${peak} queued changes for ${stallVisible} devices`,
    },
    {
      name: 'the stalled dashboard converged after reading again',
      ok: converged,
      detail: `its view at seq ${replica.position?.seq ?? '—'}, the server's at ${truth.seq}`,
    },
  ],
  latency: { 'visible-only': visible.sensorCurve, everything: everything.sensorCurve },
  overTime: [
    {
      title: 'The stalled dashboard: changes queued for it',
      unit: 'queued changes',
      series: { queued: samples },
    },
  ],
});
if (values.write)
  writeBenchmarkSection(
    'iot-dashboards',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario iot:dashboards --write\` (seed ${seed}) on: ${machine()}.`,
      '',
      `${devices.length} simulated devices at ${values.rate} reading/s; ${values.dashboards} SSE dashboards a side, ${seconds} s each.`,
      '',
      table,
      '',
      `Everything costs ${ratio.toFixed(1)}× the bytes of visible-only. ${stallLine}`,
    ].join('\n'),
  );
process.exit(ok ? 0 : 1);
