import { SeededRandom } from '@twohop/testkit';
import { fleetLayout, type FleetLayout, type FleetSize } from '../src/domain/fleetLayout.js';
import { METRICS, type MetricName, type Reading } from '../src/domain/site.js';
import type { SiteEvents } from '../src/domain/SiteEvents.js';

/**
 * A fleet played straight into {@link SiteEvents}, as the bridge would after it accepted each message: births,
 * seeded readings, deaths and a gap followed by its rebirth. For tests of the dashboard side that need no broker;
 * the MQTT path is tested with the simulator and the bridge.
 */
export class ScriptedFleet {
  readonly layout: FleetLayout;
  readonly #events: SiteEvents;
  readonly #random: SeededRandom;
  readonly #now: () => number;
  readonly #values = new Map<string, Partial<Record<MetricName, number>>>();
  readonly #bdSeq = new Map<string, number>();
  /** Sensors running hot: they report this value until cooled. */
  readonly #hot = new Map<string, { metric: MetricName; value: number }>();

  constructor(events: SiteEvents, options: { size: FleetSize; seed: number; now?: () => number }) {
    this.layout = fleetLayout(options.size);
    this.#events = events;
    this.#random = new SeededRandom(options.seed);
    this.#now = options.now ?? Date.now;
    for (const node of this.layout.nodes) {
      for (const device of node.devices) {
        const values: Partial<Record<MetricName, number>> = {};
        for (const metric of device.metrics) values[metric] = this.#healthy(metric);
        this.#values.set(`${this.layout.group}/${node.node}/${device.device}`, values);
      }
    }
  }

  /** Every device key, in layout order. */
  get devices(): string[] {
    return [...this.#values.keys()];
  }

  /** Every node key. */
  get nodes(): string[] {
    return this.layout.nodes.map((node) => `${this.layout.group}/${node.node}`);
  }

  /** Births every node and its devices (the first time, or a rebirth with the next bdSeq). */
  birth(nodeId?: string): void {
    for (const node of this.layout.nodes) {
      if (nodeId !== undefined && node.node !== nodeId) continue;
      const address = { group: this.layout.group, node: node.node };
      const bdSeq = (this.#bdSeq.get(node.node) ?? -1) + 1;
      this.#bdSeq.set(node.node, bdSeq);
      this.#events.nodeBorn({ node: address, bdSeq, placement: node.placement, ts: this.#now() });
      for (const device of node.devices) {
        const readings = this.#readings(`${this.layout.group}/${node.node}/${device.device}`);
        this.#events.deviceBorn({ device: { ...address, device: device.device }, readings, ts: this.#now() });
      }
    }
  }

  /** One reading per metric from every device, each a small seeded step from its last. */
  step(): void {
    for (const node of this.layout.nodes) {
      for (const device of node.devices) {
        const key = `${this.layout.group}/${node.node}/${device.device}`;
        const values = this.#values.get(key)!;
        for (const metric of device.metrics) values[metric] = this.#walk(metric, values[metric]!);
        const hot = this.#hot.get(key);
        if (hot !== undefined) values[hot.metric] = hot.value;
        this.#events.readings({
          device: { group: this.layout.group, node: node.node, device: device.device },
          readings: this.#readings(key),
          ts: this.#now(),
        });
      }
    }
  }

  /** One device reports `value` for `metric` (a sensor running hot). */
  set(deviceKey: string, metric: MetricName, value: number): void {
    const [group = '', node = '', device = ''] = deviceKey.split('/');
    this.#values.get(deviceKey)![metric] = value;
    this.#events.readings({
      device: { group, node, device },
      readings: [{ metric, value, ts: this.#now() }],
      ts: this.#now(),
    });
  }

  /** The sensor keeps reporting `value` for `metric` until {@link ScriptedFleet.cool}. */
  heat(deviceKey: string, metric: MetricName, value: number): void {
    this.#hot.set(deviceKey, { metric, value });
    this.set(deviceKey, metric, value);
  }

  /** Ends {@link ScriptedFleet.heat}: the sensor is back in its healthy range. */
  cool(deviceKey: string): void {
    const hot = this.#hot.get(deviceKey);
    if (hot === undefined) return;
    this.#hot.delete(deviceKey);
    this.set(deviceKey, hot.metric, this.#healthy(hot.metric));
  }

  /** The node's current NDEATH: it and its devices go offline. */
  kill(nodeId: string): void {
    this.#events.nodeDied({
      node: { group: this.layout.group, node: nodeId },
      bdSeq: this.#bdSeq.get(nodeId) ?? 0,
      cause: 'ndeath',
      ts: this.#now(),
    });
  }

  /** What the bridge does about a lost message: the gap, the rebirth command, then the node's births. */
  gapAndRebirth(nodeId: string, expected = 7, received = 9): void {
    const node = { group: this.layout.group, node: nodeId };
    this.#events.bridge({ type: 'gap', node, expected, received, reason: 'timeout', ts: this.#now() });
    this.#events.bridge({ type: 'rebirth-requested', node, reason: 'gap', ts: this.#now() });
    this.birth(nodeId);
  }

  /** What the bridge reports when two messages came swapped and the reorder window put them back. */
  reorder(nodeId: string, seq = 12): void {
    this.#events.bridge({
      type: 'reordered',
      node: { group: this.layout.group, node: nodeId },
      seq,
      ts: this.#now(),
    });
  }

  #readings(key: string): Reading[] {
    return Object.entries(this.#values.get(key)!).map(([metric, value]) => ({
      metric: metric as MetricName,
      value,
      ts: this.#now(),
    }));
  }

  #healthy(metric: MetricName): number {
    const { min, max, integer } = METRICS[metric];
    const value = min + (max - min) * (0.3 + 0.4 * this.#random.float());
    return integer ? Math.round(value) : Math.round(value * 10) / 10;
  }

  #walk(metric: MetricName, value: number): number {
    const { min, max, integer } = METRICS[metric];
    const step = (max - min) * 0.02 * (this.#random.float() * 2 - 1);
    const next = Math.min(max, Math.max(min, value + step));
    return integer ? Math.round(next) : Math.round(next * 10) / 10;
  }
}
