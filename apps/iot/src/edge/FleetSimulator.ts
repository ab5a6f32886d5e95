import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { FleetFault } from '../domain/faults.js';
import type { FleetLayout } from '../domain/fleetLayout.js';
import { EdgeNode } from './EdgeNode.js';
import type { DeviceTruth, EdgeNodeStats, FleetStats } from './edgeTypes.js';

/** Options for {@link FleetSimulator}. */
export interface FleetSimulatorOptions {
  url: string | readonly string[];
  layout: FleetLayout;
  /** Each node's MQTT credentials. */
  credentials: (node: string) => { username: string; password: string };
  /** Every node's values derive from it (node i uses `seed + i`). */
  seed: number;
  /** @default 1 */
  ratePerDevice?: number;
  /** @default 100 */
  tickMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/** A fault names a node the fleet does not have (stable code `unknown_node`). */
export class UnknownNodeError extends Error {
  readonly code = 'unknown_node';
}

/**
 * A seeded fleet of simulated Sparkplug edge nodes, one per floor: starts them, routes faults to them, and reports
 * the truth (every device's current values, and whether its node lives) that the host must converge to.
 */
export class FleetSimulator {
  readonly #nodes = new Map<string, EdgeNode>();
  readonly #options: FleetSimulatorOptions;

  constructor(options: FleetSimulatorOptions) {
    this.#options = options;
    options.layout.nodes.forEach((plan, index) => {
      const rng = xoroshiro128plus(options.seed + index);
      this.#nodes.set(
        plan.node,
        new EdgeNode({
          url: options.url,
          group: options.layout.group,
          plan,
          ...options.credentials(plan.node),
          random: () => uniformFloat64(rng),
          ...(options.ratePerDevice === undefined ? {} : { ratePerDevice: options.ratePerDevice }),
          ...(options.tickMs === undefined ? {} : { tickMs: options.tickMs }),
          ...(options.now === undefined ? {} : { now: options.now }),
        }),
      );
    });
  }

  /** Connects every node and publishes its births. */
  async start(): Promise<void> {
    await Promise.all([...this.#nodes.values()].map((node) => node.start()));
  }

  /** Injects a fault into the node it names. */
  async fault(fault: FleetFault): Promise<void> {
    const node = this.#nodes.get(fault.node);
    if (node === undefined) throw new UnknownNodeError(`no edge node ${fault.node}`);
    await node.fault(fault);
  }

  /** The brokers every node's next sessions go to. */
  setBrokers(urls: readonly string[]): void {
    for (const node of this.#nodes.values()) node.setBrokers(urls);
  }

  /** Stops or restarts every node's readings. */
  pause(paused: boolean): void {
    for (const node of this.#nodes.values()) node.pause(paused);
  }

  /** Every device's values and liveness by `group/node/device`. */
  truth(): Record<string, DeviceTruth> {
    const out: Record<string, DeviceTruth> = {};
    for (const [id, node] of this.#nodes)
      for (const [device, values] of node.truth())
        out[`${this.#options.layout.group}/${id}/${device}`] = { online: node.alive, values };
    return out;
  }

  /** The bdSeq of every ended session, by node id: an NDEATH the host acts on must name one of these. */
  endedSessions(): Record<string, number[]> {
    return Object.fromEntries([...this.#nodes].map(([id, node]) => [id, [...node.endedSessions]]));
  }

  /** The fleet's counters. */
  stats(): FleetStats {
    const total: EdgeNodeStats = { sent: 0, lost: 0, reordered: 0, births: 0, rebirths: 0, sessions: 0 };
    let alive = 0;
    for (const node of this.#nodes.values()) {
      for (const key of Object.keys(total) as Array<keyof EdgeNodeStats>) total[key] += node.stats[key];
      if (node.alive) alive++;
    }
    const devices = this.#options.layout.nodes.reduce((sum, node) => sum + node.devices.length, 0);
    return { ...total, nodes: this.#nodes.size, devices, alive };
  }

  /** Every node ends cleanly (its own NDEATH, then DISCONNECT). */
  async close(): Promise<void> {
    await Promise.all([...this.#nodes.values()].map((node) => node.close()));
  }
}
