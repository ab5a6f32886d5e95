import type { MetricName, NodePlacement } from './site.js';

/** How big a simulated fleet is. */
export interface FleetSize {
  /** Buildings on the site. */
  readonly buildings: number;
  /** Floors per building (one edge node each). */
  readonly floors: number;
  /** Devices per floor. */
  readonly devicesPerFloor: number;
}

/** The fleet `pnpm start` runs: 2 buildings × 4 floors × 25 devices = 200 devices on 8 edge nodes. */
export const DEFAULT_FLEET: FleetSize = { buildings: 2, floors: 4, devicesPerFloor: 25 };

/** The full-size fleet: 5 buildings × 10 floors × 200 devices = 10,000 devices on 50 edge nodes. */
export const FULL_FLEET: FleetSize = { buildings: 5, floors: 10, devicesPerFloor: 200 };

/** One device of a planned fleet. */
export interface PlannedDevice {
  /** Device id within its node (`d007`). */
  readonly device: string;
  /** What it measures. */
  readonly metrics: readonly MetricName[];
}

/** One edge node of a planned fleet. */
export interface PlannedNode {
  /** Edge node id (`b1-f3`). */
  readonly node: string;
  readonly placement: NodePlacement;
  readonly devices: readonly PlannedDevice[];
}

/** A whole planned fleet in one Sparkplug group. */
export interface FleetLayout {
  readonly group: string;
  readonly nodes: readonly PlannedNode[];
}

// Three kinds of sensor, taken in turn: a climate sensor, an air-quality sensor, a desk occupancy counter.
const KINDS: readonly (readonly MetricName[])[] = [
  ['temperature', 'humidity'],
  ['co2', 'temperature', 'humidity'],
  ['occupancy'],
];

/** Total devices in a fleet of this size. */
export const fleetDevices = (size: FleetSize): number => size.buildings * size.floors * size.devicesPerFloor;

/**
 * The fleet's layout: ids and metrics, deterministic for a size (values and faults are what the seed decides).
 * Buildings `b1…`, floors `f1…`, nodes `b<i>-f<j>`, devices `d001…` on each node.
 */
export function fleetLayout(size: FleetSize, group = 'site'): FleetLayout {
  const width = String(size.devicesPerFloor).length;
  const nodes: PlannedNode[] = [];
  for (let b = 1; b <= size.buildings; b++) {
    for (let f = 1; f <= size.floors; f++) {
      const devices: PlannedDevice[] = [];
      for (let d = 1; d <= size.devicesPerFloor; d++) {
        devices.push({
          device: `d${String(d).padStart(width, '0')}`,
          metrics: KINDS[(d - 1) % KINDS.length]!,
        });
      }
      nodes.push({ node: `b${b}-f${f}`, placement: { building: `b${b}`, floor: `f${f}` }, devices });
    }
  }
  return { group, nodes };
}
