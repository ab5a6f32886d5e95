/**
 * Dashboards for `iot:fleet` and `iot:dashboards`, in a process of their own: `--dashboards` SSE clients of the app
 * at `--url`, each following `site`, `alarms` and either its own view of `--visible` devices (`--mode visible`: the
 * dashboard's real subscription, a seeded window of the fleet) or the `devices` stream of everything
 * (`--mode everything`). Each counts the frames and bytes it receives, and times every reading from the device's own
 * timestamp (sensor to dashboard) and every alarm raise from the server's raise time (alarm to dashboard), one clock
 * for all (simulator, app and this process run on one machine). Answers `{ready}` once every dashboard holds its
 * snapshots, then `{cmd:'measure'}` → `{measuring}` (counting from now) and `{cmd:'result'}` → `{result}`.
 */
import { eventSourceTransport, StreamClient, type EventSourceLike } from '@twohop/client';
import { LatencyRecorder, TimeSeries, type LatencySummary } from '@twohop/metrics';
import { SeededRandom } from '@twohop/testkit';
import { EventSource } from 'eventsource';
import { parseArgs } from 'node:util';
import { newViewId } from '../../src/client/DashboardSession.js';
import { modelFor } from '../../src/client/streamModels.js';
import { ViewUpdater } from '../../src/client/ViewUpdater.js';
import type { Alarm } from '../../src/domain/alarms/alarmTypes.js';
import { DEVICES_STREAM, type DeviceReading } from '../../src/domain/dashboardWire.js';
import { fleetLayout } from '../../src/domain/fleetLayout.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: '' },
    dashboards: { type: 'string', default: '200' },
    visible: { type: 'string', default: '50' },
    mode: { type: 'string', default: 'visible' },
    rate: { type: 'string', default: '250' },
    seed: { type: 'string', default: '1' },
    /** The fleet's size, `<buildings>x<floors>x<devices per floor>`: the devices a view can show. */
    fleet: { type: 'string', default: '2x4x25' },
  },
});

/** What the process reports. */
export interface DashboardsResult {
  dashboards: number;
  /** Frames (snapshot, delta, batch) and their bytes, per dashboard, over the measured window. */
  framesPerDashboard: number;
  bytesPerDashboard: number;
  /** Readings that reached dashboards, and alarm raises. */
  readings: number;
  alarms: number;
  sensorToDashboard: LatencySummary;
  alarmToDashboard: LatencySummary;
  /** The HDR curves, `[percentile, ms]`, for the report's chart. */
  sensorCurve: Array<[number, number]>;
  alarmCurve: Array<[number, number]>;
  /** Readings that reached dashboards per second, over the measured window (`[seconds, per second]`). */
  readingsPerSecond: Array<[number, number]>;
}

const counters = { frames: 0, bytes: 0, readings: 0, alarms: 0, measuring: false };
const sensor = new LatencyRecorder();
const alarm = new LatencyRecorder();
let readingsOverTime = new TimeSeries();

type Change = { op: string; value?: unknown };
/** Times each change of a frame as it arrives (the data is the frame's JSON, parsed once more here). */
function time(data: string): void {
  if (!counters.measuring) return;
  counters.frames++;
  counters.bytes += data.length;
  const frame = JSON.parse(data) as {
    type: string;
    stream: string;
    data?: unknown;
    items?: { data: unknown }[];
  };
  const deltas = frame.type === 'batch' ? (frame.items ?? []) : frame.type === 'delta' ? [frame] : [];
  const now = Date.now();
  for (const delta of deltas) {
    if (frame.stream === 'site') continue;
    for (const change of delta.data as Change[]) {
      if (change.op !== 'set') continue;
      if (frame.stream === 'alarms') {
        const raised = change.value as Alarm;
        if (raised.status === 'ACTIVE_UNACK') {
          alarm.record(now - raised.endTs);
          counters.alarms++;
        }
      } else {
        sensor.record(now - (change.value as DeviceReading).ts);
        counters.readings++;
        readingsOverTime.count();
      }
    }
  }
}

/** The `eventsource` package's EventSource, with every stream frame seen by {@link time} first. */
class CountingEventSource implements EventSourceLike {
  readonly #source: EventSource;
  constructor(url: string) {
    this.#source = new EventSource(url);
  }
  get readyState(): number {
    return this.#source.readyState;
  }
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void {
    const counted = type === 'snapshot' || type === 'delta' || type === 'batch';
    this.#source.addEventListener(type, (event: MessageEvent) => {
      if (counted) time(String(event.data));
      listener(event);
    });
  }
  close(): void {
    this.#source.close();
  }
}

const url = values.url;
const [buildings = 1, floors = 1, devicesPerFloor = 1] = values.fleet.split('x').map(Number);
const layout = fleetLayout({ buildings, floors, devicesPerFloor });
const fleet = layout.nodes.flatMap((node) =>
  node.devices.map((device) => `${layout.group}/${node.node}/${device.device}`),
);
const random = new SeededRandom(Number(values.seed));
const total = Number(values.dashboards);
const visible = Number(values.visible);
const clients: StreamClient[] = [];
const updaters: ViewUpdater[] = [];
const live: Array<() => boolean> = [];
for (let start = 0; start < total; start += 25) {
  for (let i = start; i < Math.min(total, start + 25); i++) {
    const client = new StreamClient({
      transport: eventSourceTransport(`${url}/api/sse`, {
        EventSource: CountingEventSource,
      }),
    });
    clients.push(client);
    const streams = ['site', 'alarms'];
    if (values.mode === 'everything') streams.push(DEVICES_STREAM);
    else {
      const viewId = newViewId();
      // A window of the fleet, as a floor grid scrolled somewhere shows.
      const first = random.int(0, Math.max(0, fleet.length - visible));
      const updater = new ViewUpdater({ url, viewId, rateMs: Number(values.rate), delayMs: 0 });
      updater.set(fleet.slice(first, first + visible));
      updaters.push(updater);
      streams.push(`view:${viewId}`);
    }
    const followed = streams.map((stream) => client.subscribe(stream, { model: modelFor(stream) }));
    live.push(() => followed.every((stream) => stream.replica.status === 'live'));
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const deadline = Date.now() + 60_000;
while (!live.every((isLive) => isLive()) && Date.now() < deadline)
  await new Promise((r) => setTimeout(r, 50));
process.send?.({ ready: live.filter((isLive) => isLive()).length });

process.on('message', (message: { cmd?: string }) => {
  if (message.cmd === 'measure') {
    counters.measuring = true;
    readingsOverTime = new TimeSeries();
    process.send?.({ measuring: true });
  } else if (message.cmd === 'result') {
    counters.measuring = false;
    const result: DashboardsResult = {
      dashboards: total,
      framesPerDashboard: counters.frames / total,
      bytesPerDashboard: counters.bytes / total,
      readings: counters.readings,
      alarms: counters.alarms,
      sensorToDashboard: sensor.summary(),
      alarmToDashboard: alarm.summary(),
      sensorCurve: sensor.count > 0 ? sensor.distribution() : [],
      alarmCurve: alarm.count > 0 ? alarm.distribution() : [],
      readingsPerSecond: readingsOverTime.points(),
    };
    for (const client of clients) client.close();
    for (const updater of updaters) updater.close();
    process.send?.({ result });
  }
});
