import {
  keyedState,
  setKey,
  StreamPublisher,
  type KeyedChange,
  type KeyedSnapshot,
  type KeyedState,
} from '@twohop/snapshot-delta';
import { Downsampler } from '../../domain/aggregation/Downsampler.js';
import { aggregateSeries } from '../../domain/aggregation/SiteAggregates.js';
import { DEVICES_STREAM, type DeviceReading } from '../../domain/dashboardWire.js';
import {
  deviceKey,
  nodeKey,
  type DeviceAddress,
  type NodePlacement,
  type Reading,
} from '../../domain/site.js';
import type {
  BridgeEvent,
  DeviceBirth,
  DeviceDeath,
  DeviceReadings,
  NodeBirth,
  NodeDeath,
  SiteEvents,
} from '../../domain/SiteEvents.js';
import { AlarmFeed, type AlarmFeedOptions } from './AlarmFeed.js';
import { bridgeEventOf } from './edgeEvents.js';
import { SiteTreeFeed } from './SiteTreeFeed.js';
import type { SqliteHistory } from './SqliteHistory.js';
import { ViewRegistry } from './ViewRegistry.js';

/** Options for {@link DashboardHub}. */
export interface DashboardHubOptions {
  /** The aggregates' interval in the site tree (ms). @default 2000 */
  aggregateMs?: number;
  /** The history's interval (ms). @default 10000 */
  historyMs?: number;
  /** Where downsampled readings are kept; none keeps no history. */
  history?: SqliteHistory;
  /** Wall clock (ms since the epoch): alarm times, delta stamps, interval boundaries. @default Date.now */
  now?: () => number;
  alarms?: Omit<AlarmFeedOptions, 'now'>;
  /** The most dashboard views held. @default 5000 */
  maxViews?: number;
}

interface NodeRecord {
  placement: NodePlacement;
  bdSeq: number;
  online: boolean;
  gaps: number;
  births: number;
  devices: Set<string>;
}

/**
 * The dashboard side of the Sparkplug host: it takes the bridge's {@link SiteEvents} and keeps every dashboard
 * stream — the `site` tree, the `alarms`, each dashboard's `view:<id>` and the `devices` stream of everything — plus
 * the downsamplers behind the aggregates and the history. {@link DashboardHub.tick} closes the intervals that ended
 * (the server calls it on a timer; tests call it with their own clock).
 */
export class DashboardHub implements SiteEvents {
  readonly site: SiteTreeFeed;
  readonly alarms: AlarmFeed;
  readonly views: ViewRegistry;
  /** Every device's latest state: the baseline a visible-only view is measured against. */
  readonly devices: StreamPublisher<
    KeyedState<DeviceReading>,
    readonly KeyedChange<DeviceReading>[],
    KeyedSnapshot<DeviceReading>
  >;
  readonly #nodes = new Map<string, NodeRecord>();
  readonly #aggregates: Downsampler;
  readonly #historySampler: Downsampler;
  readonly #history: SqliteHistory | undefined;
  readonly #now: () => number;

  constructor(options: DashboardHubOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.site = new SiteTreeFeed({ now: this.#now });
    this.alarms = new AlarmFeed({ ...options.alarms, now: this.#now });
    this.devices = new StreamPublisher({
      stream: DEVICES_STREAM,
      model: keyedState<DeviceReading>(),
      timestamps: this.#now,
    });
    this.views = new ViewRegistry({
      latest: (device) => this.devices.state.get(device),
      now: this.#now,
      ...(options.maxViews === undefined ? {} : { maxViews: options.maxViews }),
    });
    this.#aggregates = new Downsampler(options.aggregateMs ?? 2000);
    this.#historySampler = new Downsampler(options.historyMs ?? 10_000);
    this.#history = options.history;
  }

  /** The history store, when one was given. */
  get history(): SqliteHistory | undefined {
    return this.#history;
  }

  nodeBorn(event: NodeBirth): void {
    const key = nodeKey(event.node);
    const previous = this.#nodes.get(key);
    const record: NodeRecord = {
      placement: event.placement,
      bdSeq: event.bdSeq,
      online: true,
      gaps: previous?.gaps ?? 0,
      births: (previous?.births ?? 0) + 1,
      devices: previous?.devices ?? new Set(),
    };
    this.#nodes.set(key, record);
    // A (re)birth voids what the node said before: its devices are offline until their own DBIRTH.
    const devices = Object.fromEntries([...record.devices].map((device) => [device, false]));
    this.site.setNode(record.placement, key, {
      online: true,
      bdSeq: record.bdSeq,
      gaps: record.gaps,
      births: record.births,
      devices,
    });
    for (const device of record.devices) this.#setOnline(`${key}/${device}`, false);
    this.site.event({ kind: 'birth', node: key, at: this.#now(), detail: `NBIRTH bdSeq ${event.bdSeq}` });
    this.alarms.nodeBorn(key);
  }

  deviceBorn(event: DeviceBirth): void {
    const node = this.#nodes.get(nodeKey(event.device));
    if (node === undefined) return;
    node.devices.add(event.device.device);
    this.site.setDevice(node.placement, nodeKey(event.device), event.device.device, true);
    this.#accept(event.device, node, event.readings, event.ts, true);
  }

  readings(event: DeviceReadings): void {
    const node = this.#nodes.get(nodeKey(event.device));
    if (node === undefined || !node.online) return;
    this.#accept(event.device, node, event.readings, event.ts, false);
  }

  deviceDied(event: DeviceDeath): void {
    const node = this.#nodes.get(nodeKey(event.device));
    if (node === undefined) return;
    this.site.setDevice(node.placement, nodeKey(event.device), event.device.device, false);
    this.#setOnline(deviceKey(event.device), false);
  }

  nodeDied(event: NodeDeath): void {
    const key = nodeKey(event.node);
    const node = this.#nodes.get(key);
    if (node === undefined) return;
    node.online = false;
    this.site.setNodeFields(node.placement, key, { online: false });
    for (const device of node.devices) this.#setOnline(`${key}/${device}`, false);
    this.site.event({
      kind: 'death',
      node: key,
      at: this.#now(),
      detail: `NDEATH bdSeq ${event.bdSeq} (${event.cause})`,
    });
    this.alarms.nodeDied(key);
  }

  bridge(event: BridgeEvent): void {
    if (event.type === 'gap') {
      const key = nodeKey(event.node);
      const node = this.#nodes.get(key);
      if (node !== undefined) {
        node.gaps++;
        this.site.setNodeFields(node.placement, key, { gaps: node.gaps });
      }
    }
    this.site.event(bridgeEventOf(event, this.#now()));
  }

  /** Closes the aggregate and history intervals that ended by `now`, publishing and storing them. */
  tick(now = this.#now()): void {
    const aggregates = this.#aggregates.close(now);
    if (aggregates.length > 0) this.site.aggregates(aggregates);
    const history = this.#historySampler.close(now);
    this.#history?.record(history);
  }

  /**
   * Stores the history's open intervals as they stand (on shutdown): a partial interval written now merges with the
   * rest of it written after a restart, so nothing the devices said before the stop is lost.
   */
  flushHistory(): void {
    this.#history?.record(this.#historySampler.close(Number.POSITIVE_INFINITY));
  }

  /** Prunes the history past its retention. */
  prune(now = this.#now()): number {
    return this.#history?.prune(now) ?? 0;
  }

  #accept(
    address: DeviceAddress,
    node: NodeRecord,
    readings: readonly Reading[],
    ts: number,
    birth: boolean,
  ): void {
    const key = deviceKey(address);
    const previous = this.devices.state.get(key);
    const values: Record<string, number> = birth ? {} : { ...previous?.values };
    const series = aggregateSeries(node.placement);
    for (const reading of readings) {
      values[reading.metric] = reading.value;
      for (const group of series) this.#aggregates.add(group, reading.metric, reading.value, reading.ts);
      this.#historySampler.add(key, reading.metric, reading.value, reading.ts);
    }
    this.#set(key, { values, ts, online: true });
    this.alarms.readings(key, readings);
  }

  #setOnline(key: string, online: boolean): void {
    const previous = this.devices.state.get(key);
    if (previous === undefined || previous.online === online) return;
    this.#set(key, { ...previous, online });
  }

  #set(key: string, reading: DeviceReading): void {
    this.devices.publish([setKey(key, reading)]);
    this.views.update(key, reading);
  }
}
