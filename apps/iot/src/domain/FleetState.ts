import type {
  BridgeEvent,
  DeviceBirth,
  DeviceDeath,
  DeviceReadings,
  NodeBirth,
  NodeDeath,
  SiteEvents,
} from './SiteEvents.js';
import {
  deviceKey,
  nodeKey,
  nodeOf,
  type DeviceAddress,
  type MetricName,
  type NodeAddress,
  type NodePlacement,
  type Reading,
} from './site.js';

/** What is known of one device. */
export interface DeviceState {
  readonly address: DeviceAddress;
  /** Online from its DBIRTH until its DDEATH, its node's death or its node's next birth (until it is born again). */
  online: boolean;
  /** The latest reading of each metric it reports. */
  readonly values: Partial<Record<MetricName, Reading>>;
}

/** What is known of one edge node. */
export interface NodeState {
  readonly address: NodeAddress;
  placement: NodePlacement;
  online: boolean;
  /** The `bdSeq` of its latest birth. */
  bdSeq: number;
  /** Its devices by device id, born or not yet reborn. */
  readonly devices: Map<string, DeviceState>;
}

/** A plain-JSON copy of one device's state, for comparing fleets. */
export interface DeviceSnapshot {
  readonly online: boolean;
  readonly values: Partial<Record<MetricName, number>>;
}

/**
 * The current state of the whole fleet, kept by applying {@link SiteEvents} in order: which nodes and devices are
 * online and each device's latest reading per metric. The bridge's tests and the `iot:gaps` scenario compare it with
 * the simulator's truth; a dashboard can keep one as its source of state. Pure.
 */
export class FleetState implements SiteEvents {
  readonly #nodes = new Map<string, NodeState>();

  /** Every node, by `group/node`. */
  get nodes(): ReadonlyMap<string, NodeState> {
    return this.#nodes;
  }

  /** One node, by address. */
  node(address: NodeAddress): NodeState | undefined {
    return this.#nodes.get(nodeKey(address));
  }

  /** One device, by address. */
  device(address: DeviceAddress): DeviceState | undefined {
    return this.node(address)?.devices.get(address.device);
  }

  /** Every device of every node. */
  *devices(): IterableIterator<DeviceState> {
    for (const node of this.#nodes.values()) yield* node.devices.values();
  }

  /** Every device's online flag and values by `group/node/device` (only devices of live nodes count as online). */
  snapshot(): Record<string, DeviceSnapshot> {
    const out: Record<string, DeviceSnapshot> = {};
    for (const device of this.devices()) {
      const values: Partial<Record<MetricName, number>> = {};
      for (const [metric, reading] of Object.entries(device.values))
        values[metric as MetricName] = reading.value;
      out[deviceKey(device.address)] = { online: device.online, values };
    }
    return out;
  }

  nodeBorn(event: NodeBirth): void {
    const existing = this.node(event.node);
    if (existing === undefined) {
      this.#nodes.set(nodeKey(event.node), {
        address: event.node,
        placement: event.placement,
        online: true,
        bdSeq: event.bdSeq,
        devices: new Map(),
      });
      return;
    }
    existing.placement = event.placement;
    existing.online = true;
    existing.bdSeq = event.bdSeq;
    // A (re)birth voids what the node said before: its devices are unknown until their own DBIRTH.
    for (const device of existing.devices.values()) device.online = false;
  }

  deviceBorn(event: DeviceBirth): void {
    const node = this.node(nodeOf(event.device));
    if (node === undefined) return;
    const values: Partial<Record<MetricName, Reading>> = {};
    for (const reading of event.readings) values[reading.metric] = reading;
    node.devices.set(event.device.device, { address: event.device, online: true, values });
  }

  readings(event: DeviceReadings): void {
    const device = this.device(event.device);
    if (device === undefined || !device.online) return;
    for (const reading of event.readings) device.values[reading.metric] = reading;
  }

  deviceDied(event: DeviceDeath): void {
    const device = this.device(event.device);
    if (device !== undefined) device.online = false;
  }

  nodeDied(event: NodeDeath): void {
    const node = this.node(event.node);
    if (node === undefined) return;
    node.online = false;
    for (const device of node.devices.values()) device.online = false;
  }

  bridge(_event: BridgeEvent): void {}
}
