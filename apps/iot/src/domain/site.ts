/**
 * The site model: building → floor → edge node → device → metric. One Sparkplug edge node serves one floor; each
 * device on it is a sensor reporting some of the four metrics below. Pure data and rules, no I/O.
 */

/** The metrics a device can report. */
export type MetricName = 'temperature' | 'humidity' | 'co2' | 'occupancy';

/** How a metric is shown and what range a healthy sensor stays in. */
export interface MetricSpec {
  /** The Sparkplug metric name a device publishes it under (`Sensors/Temperature`, …). */
  readonly sparkplugName: string;
  /** Display unit. */
  readonly unit: string;
  /** Human label. */
  readonly label: string;
  /** Values a healthy sensor reports lie in `[min, max]` (a sensor "running hot" leaves it). */
  readonly min: number;
  readonly max: number;
  /** Whether the value is a whole number (occupancy counts people). */
  readonly integer: boolean;
}

/** The four metrics, in display order. */
export const METRIC_NAMES: readonly MetricName[] = ['temperature', 'humidity', 'co2', 'occupancy'];

/** Every metric's unit, label, Sparkplug name and healthy range. */
export const METRICS: Readonly<Record<MetricName, MetricSpec>> = {
  temperature: {
    sparkplugName: 'Sensors/Temperature',
    unit: '°C',
    label: 'Temperature',
    min: 15,
    max: 30,
    integer: false,
  },
  humidity: {
    sparkplugName: 'Sensors/Humidity',
    unit: '%RH',
    label: 'Humidity',
    min: 20,
    max: 70,
    integer: false,
  },
  co2: { sparkplugName: 'Sensors/CO2', unit: 'ppm', label: 'CO₂', min: 400, max: 1500, integer: true },
  occupancy: {
    sparkplugName: 'Sensors/Occupancy',
    unit: 'people',
    label: 'Occupancy',
    min: 0,
    max: 20,
    integer: true,
  },
};

/** The metric a Sparkplug metric name stands for, or undefined for names the site model does not track. */
export function metricFromSparkplug(name: string): MetricName | undefined {
  return METRIC_NAMES.find((metric) => METRICS[metric].sparkplugName === name);
}

/** A Sparkplug edge node: `spBv1.0/<group>/…/<node>`. */
export interface NodeAddress {
  /** The Sparkplug group id (one per site). */
  readonly group: string;
  /** The edge node id (one per floor). */
  readonly node: string;
}

/** A device attached to an edge node: `spBv1.0/<group>/…/<node>/<device>`. */
export interface DeviceAddress extends NodeAddress {
  /** The device id, unique within its node. */
  readonly device: string;
}

/** `group/node`: the key a node is known by. */
export const nodeKey = (address: NodeAddress): string => `${address.group}/${address.node}`;

/** `group/node/device`: the key a device is known by. */
export const deviceKey = (address: DeviceAddress): string =>
  `${address.group}/${address.node}/${address.device}`;

/** The node a device belongs to. */
export const nodeOf = (address: DeviceAddress): NodeAddress => ({ group: address.group, node: address.node });

/** Where an edge node sits: which building and floor it serves (from its NBIRTH's `Site/*` metrics). */
export interface NodePlacement {
  /** Building id (`b1`). */
  readonly building: string;
  /** Floor id within the building (`f3`). */
  readonly floor: string;
}

/** One value of one metric, stamped by the device (ms since the Unix epoch, as Sparkplug timestamps are). */
export interface Reading {
  readonly metric: MetricName;
  readonly value: number;
  readonly ts: number;
}

/** Whether the value lies outside the metric's healthy range. */
export function outOfRange(reading: Pick<Reading, 'metric' | 'value'>): boolean {
  const spec = METRICS[reading.metric];
  return reading.value < spec.min || reading.value > spec.max;
}
