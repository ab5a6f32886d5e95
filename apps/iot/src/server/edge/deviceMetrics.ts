import { Counter, Gauge, type Registry } from 'prom-client';
import { ignoreSiteEvents, type BridgeEvent, type SiteEvents } from '../../domain/SiteEvents.js';
import { nodeKey } from '../../domain/site.js';
import type { MqttRefusal } from '../broker/embeddedBroker.js';

/** The device side's metrics on `/metrics`, and the sink that keeps them. */
export interface DeviceMetrics {
  /** Counts what the Sparkplug host accepted and noticed; add it beside the app's own sink. */
  readonly events: SiteEvents;
  /** Counts a broker refusal. */
  refused(reason: MqttRefusal): void;
}

/** Registers the device side's metrics in `registry` (the app's, beside every twohop server's standard ones). */
export function deviceMetrics(registry: Registry): DeviceMetrics {
  const registers = [registry];
  const refusals = new Counter({
    name: 'iot_mqtt_refusals_total',
    help: 'What the embedded broker refused, by reason (bad_credentials, forbidden_will, forbidden_publish, forbidden_subscribe).',
    labelNames: ['reason'] as const,
    registers,
  });
  const host = new Counter({
    name: 'iot_sparkplug_host_events_total',
    help: 'What the Sparkplug host noticed, by type (gap, rebirth-requested, reordered, stale-death-ignored, malformed).',
    labelNames: ['type'] as const,
    registers,
  });
  const readings = new Counter({
    name: 'iot_readings_total',
    help: 'Device readings accepted (DDATA metrics).',
    registers,
  });
  const births = new Counter({
    name: 'iot_node_births_total',
    help: 'NBIRTHs accepted (first births and rebirths).',
    registers,
  });
  const deaths = new Counter({
    name: 'iot_node_deaths_total',
    help: 'Nodes taken offline, by cause (ndeath, host-offline).',
    labelNames: ['cause'] as const,
    registers,
  });
  const online = new Gauge({
    name: 'iot_nodes_online',
    help: 'Edge nodes alive as far as the host knows.',
    registers,
  });
  const alive = new Set<string>();
  return {
    refused: (reason) => refusals.inc({ reason }),
    events: {
      ...ignoreSiteEvents,
      nodeBorn: (event) => {
        births.inc();
        alive.add(nodeKey(event.node));
        online.set(alive.size);
      },
      nodeDied: (event) => {
        deaths.inc({ cause: event.cause });
        alive.delete(nodeKey(event.node));
        online.set(alive.size);
      },
      readings: (event) => readings.inc(event.readings.length),
      bridge: (event: BridgeEvent) => host.inc({ type: event.type }),
    },
  };
}
