import type { PlannedNode } from '../domain/fleetLayout.js';
import { METRICS, type MetricName } from '../domain/site.js';
import {
  BD_SEQ,
  NODE_CONTROL_REBIRTH,
  SITE_BUILDING,
  SITE_FLOOR,
  type SparkplugMetric,
  type SparkplugPayload,
} from '../domain/sparkplugPayload.js';
import { encodeSparkplug } from '../sparkplug/sparkplugCodec.js';

const METRIC_TYPE = (metric: MetricName): 'Int32' | 'Double' =>
  METRICS[metric].integer ? 'Int32' : 'Double';

/**
 * What one edge node says, without the saying: the payloads of its NBIRTH, DBIRTHs, DDATA and NDEATH (before the
 * `seq` is stamped on), with every device metric's alias fixed for the node's life — births name each metric and
 * give its alias, data carries the alias only, as Sparkplug B 3.0 allows.
 */
export class NodeMessages {
  readonly #plan: PlannedNode;
  readonly #aliases = new Map<string, number>();

  constructor(plan: PlannedNode) {
    this.#plan = plan;
    let alias = 1;
    for (const device of plan.devices)
      for (const metric of device.metrics) this.#aliases.set(`${device.device}/${metric}`, alias++);
  }

  /** The NBIRTH: this session's bdSeq, the rebirth control, and where the node sits. */
  nodeBirth(bdSeq: number, ts: number): SparkplugPayload {
    const { building, floor } = this.#plan.placement;
    return {
      timestamp: ts,
      metrics: [
        { name: BD_SEQ, type: 'UInt64', value: bdSeq },
        { name: NODE_CONTROL_REBIRTH, type: 'Boolean', value: false },
        { name: SITE_BUILDING, type: 'String', value: building },
        { name: SITE_FLOOR, type: 'String', value: floor },
      ],
    };
  }

  /** A DBIRTH: every metric of the device with its name, alias and current value. */
  deviceBirth(
    device: string,
    metrics: readonly MetricName[],
    values: Record<MetricName, number>,
    ts: number,
  ): SparkplugPayload {
    return {
      timestamp: ts,
      metrics: metrics.map((metric) => this.#metric(device, metric, values[metric], ts, true)),
    };
  }

  /** A DDATA: the metrics that changed, by alias. */
  deviceData(
    device: string,
    changed: readonly MetricName[],
    values: Record<MetricName, number>,
    ts: number,
  ): SparkplugPayload {
    return {
      timestamp: ts,
      metrics: changed.map((metric) => this.#metric(device, metric, values[metric], ts, false)),
    };
  }

  /** The NDEATH's bytes (the MQTT will, or published on a clean end), carrying `bdSeq`. */
  deathBytes(bdSeq: number, ts: number): Buffer {
    return Buffer.from(
      encodeSparkplug({ timestamp: ts, metrics: [{ name: BD_SEQ, type: 'UInt64', value: bdSeq }] }),
    );
  }

  #metric(device: string, metric: MetricName, value: number, ts: number, named: boolean): SparkplugMetric {
    return {
      ...(named ? { name: METRICS[metric].sparkplugName } : {}),
      alias: this.#aliases.get(`${device}/${metric}`),
      type: METRIC_TYPE(metric),
      value,
      timestamp: ts,
    };
  }
}
