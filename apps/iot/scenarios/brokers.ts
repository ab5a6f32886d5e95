/**
 * `pnpm scenario iot:brokers [--buildings 5] [--floors 10] [--devices 200] [--rate 1] [--seconds 20] [--smoke] [--write]`
 *
 * The simulated fleet (10,000 devices at 1 reading/s at full size) through each broker in turn — the app's embedded
 * aedes, run in a process of its own, and Debian's mosquitto — with the app's Sparkplug host as the one subscriber.
 * Reports each broker process's CPU per delivered message and deliveries per second, side by side, with the
 * device-to-host latency of each reading (its DDATA timestamp to the host) and readings per second charted. Invariants: on
 * both brokers every device was born and the host received readings throughout, with no gap.
 */
import { LatencyRecorder, TimeSeries } from '@twohop/metrics';
import { waitFor } from '@twohop/testkit';
import { machine, writeBenchmarkSection, writeScenarioReport } from '@twohop/testkit/node';
import { parseArgs } from 'node:util';
import { fleetDevices } from '../src/domain/fleetLayout.js';
import { ignoreSiteEvents, type BridgeEvent } from '../src/domain/SiteEvents.js';
import { createIotServer } from '../src/server/createIotServer.js';
import { startBrokerUnderTest, type BrokerKind } from './processes/brokerUnderTest.js';

const { values } = parseArgs({
  options: {
    buildings: { type: 'string', default: '5' },
    floors: { type: 'string', default: '10' },
    devices: { type: 'string', default: '200' },
    rate: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '20' },
    write: { type: 'boolean', default: false },
    /** The suite's size: 2 nodes × 20 devices at 2 readings/s, 2 s per broker. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke)
  Object.assign(values, { buildings: '1', floors: '2', devices: '20', rate: '2', seconds: '2' });
const size = {
  buildings: Number(values.buildings),
  floors: Number(values.floors),
  devicesPerFloor: Number(values.devices),
};
const devices = fleetDevices(size);
const seconds = Number(values.seconds);
console.log(
  `iot brokers: ${devices} devices at ${values.rate}/s through aedes and mosquitto, ${seconds} s each; ${machine()}`,
);

interface BrokerRun {
  readonly kind: BrokerKind;
  readonly born: boolean;
  /** Messages the host received: it is the only subscriber, so each is one delivery by the broker. */
  readonly deliveries: number;
  /** The broker's own count over the same stretch (mosquitto's trails by up to a second: its $SYS interval). */
  readonly brokerCount: number;
  readonly cpuMs: number;
  readonly readings: number;
  readonly gaps: number;
  /** Device to host (the DDATA's timestamp to its arrival, one machine's clock) by percentile, while measuring. */
  readonly latency: Array<[number, number]>;
  /** Readings the host took per second, while measuring. */
  readonly perSecond: Array<[number, number]>;
}

async function run(kind: BrokerKind): Promise<BrokerRun> {
  const secret = `brokers-${kind}-secret-secret`;
  const broker = await startBrokerUnderTest(kind, secret);
  let readings = 0;
  let measuring = false;
  const latency = new LatencyRecorder();
  let perSecond = new TimeSeries();
  const noticed: BridgeEvent[] = [];
  const app = await createIotServer({
    secret,
    mqttUrl: broker.url,
    events: {
      ...ignoreSiteEvents,
      readings: (event) => {
        readings++;
        if (!measuring) return;
        latency.record(Date.now() - event.ts);
        perSecond.count();
      },
      bridge: (event) => noticed.push(event),
    },
    simulator: { size, seed: 1, ratePerDevice: Number(values.rate) },
  });
  const online = () => [...app.fleet.devices()].filter((device) => device.online).length;
  const born = await waitFor('every device born', () => online() === devices, 60_000).then(
    () => true,
    () => false,
  );
  // Measure a steady stretch: after the births, for `seconds`.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  // The host's count and the broker's CPU are read at the same instants, exactly `seconds` apart; the broker's own
  // count (mosquitto's answer waits for its next $SYS refresh) just outside them, as a cross-check.
  const counted0 = await broker.deliveries();
  const [readings0, delivered0, cpu0] = [readings, app.devices.bridge.received, await broker.cpuMs()];
  measuring = true;
  perSecond = new TimeSeries();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const [readings1, delivered1, cpu1] = [readings, app.devices.bridge.received, await broker.cpuMs()];
  measuring = false;
  const counted1 = await broker.deliveries();
  await app.close();
  await broker.close();
  const gaps = noticed.filter((event) => event.type === 'gap').length;
  console.log(
    `  ${kind}: ${delivered1 - delivered0} deliveries, ${(cpu1 - cpu0).toFixed(0)} ms CPU, ${gaps} gaps`,
  );
  return {
    kind,
    born,
    deliveries: delivered1 - delivered0,
    brokerCount: counted1 - counted0,
    cpuMs: cpu1 - cpu0,
    readings: readings1 - readings0,
    gaps,
    latency: latency.distribution(),
    perSecond: perSecond.points(),
  };
}

const runs = [await run('aedes'), await run('mosquitto')];
const perDelivery = (r: BrokerRun) => (r.deliveries === 0 ? 0 : (r.cpuMs * 1000) / r.deliveries);
const rows = runs.map((r) => [
  r.kind,
  r.deliveries,
  Math.round(r.deliveries / seconds),
  Math.round(r.cpuMs),
  Number(perDelivery(r).toFixed(1)),
  r.brokerCount,
]);
const headers = [
  'broker',
  'deliveries',
  'deliveries/s',
  'broker CPU ms',
  'CPU µs per delivery',
  "the broker's own count",
];
const table = [
  `| ${headers.join(' | ')} |`,
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map((row) => `| ${row.join(' | ')} |`),
].join('\n');
console.log(table);
const ok = writeScenarioReport({
  scenario: 'iot-brokers',
  params: { ...values, devices },
  table: { headers, rows },
  invariants: [
    {
      name: 'every device was born on both brokers',
      ok: runs.every((r) => r.born),
      detail: runs.map((r) => `${r.kind} ${r.born ? 'all' : 'not all'}`).join(', '),
    },
    {
      name: 'the host received readings through both, with no gap',
      ok: runs.every((r) => r.readings > 0 && r.deliveries > 0 && r.gaps === 0),
      detail: runs.map((r) => `${r.kind}: ${r.readings} readings, ${r.gaps} gaps`).join('; '),
    },
  ],
  latency: Object.fromEntries(runs.map((r) => [`device → host via ${r.kind}`, r.latency])),
  overTime: [
    {
      title: 'Readings the host took per second',
      unit: 'readings/s',
      series: Object.fromEntries(runs.map((r) => [r.kind, r.perSecond])),
    },
  ],
});
if (values.write)
  writeBenchmarkSection(
    'iot-brokers',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario iot:brokers --write\` on: ${machine()}.`,
      '',
      `${devices} simulated devices at ${values.rate} reading/s each (${size.buildings * size.floors} edge nodes in their own`,
      `process), the app's Sparkplug host as the subscriber, ${seconds} s per broker after the births. Each broker runs in`,
      'a process of its own; its CPU is read from /proc. The host is its only subscriber, so every message the host',
      "receives is one delivery; the broker's own count (aedes: forwards; mosquitto: `$SYS`, a second late) is beside it.",
      '',
      table,
    ].join('\n'),
  );
process.exit(ok ? 0 : 1);
