import type { WebApp } from '@twohop/app-kit';
import type { Clock } from '@twohop/sequence';
import { fleetLayout, type FleetSize } from '../../domain/fleetLayout.js';
import { fanOutSiteEvents, type SiteEvents } from '../../domain/SiteEvents.js';
import { startMqttBridge, type MqttBridge } from '../bridge/MqttBridge.js';
import { derivedCredentials, fleetLogins, type DerivedCredentials } from '../broker/credentials.js';
import { startEmbeddedBroker, type EmbeddedBroker, type MqttRefusal } from '../broker/embeddedBroker.js';
import type { RedisBrokerParts } from '../broker/redisBrokerParts.js';
import { deviceMetrics } from './deviceMetrics.js';
import { forkSimulator, type SimulatorHandle } from './forkSimulator.js';
import { mountSimulatorRoutes } from './simulatorRoutes.js';

/** The device side's settings (`src/server/main.ts` reads them from the environment; apps/iot/README.md lists them). */
export interface DeviceSettings {
  /** The embedded broker's TCP port (0: a free one; `false`: none). Ignored with {@link DeviceSettings.mqttUrl}. */
  mqttPort: number | false;
  /** An external broker for the bridge and the simulator instead of the embedded one (`TWOHOP_MQTT_URL`). */
  mqttUrl?: string | undefined;
  /** The secret every node's password is derived from. */
  secret: string;
  /** The host application id (`spBv1.0/STATE/<hostId>`). @default 'twohop' */
  hostId?: string;
  /** The Sparkplug group of the simulated fleet. @default 'site' */
  group?: string;
  /** The simulated fleet, forked at start; `false` for none (real devices only). */
  simulator: false | { size: FleetSize; seed: number; ratePerDevice: number };
  /** Reorder window of the host (ms). @default 2000 */
  reorderTimeoutMs?: number;
}

/** The device side, running. */
export interface DeviceSide {
  /** The embedded broker, unless an external one is used. */
  readonly broker: EmbeddedBroker | undefined;
  readonly bridge: MqttBridge;
  /** The forked simulator, when there is one. */
  readonly simulator: SimulatorHandle | undefined;
  /** The broker URL the bridge and the simulator use. */
  readonly mqttUrl: string;
  readonly credentials: DerivedCredentials;
}

/** Options for {@link attachDevices}. */
export interface AttachDevicesOptions extends DeviceSettings {
  /** Where the host's accepted state goes (the dashboards' streams). */
  events: SiteEvents;
  /** @default '127.0.0.1' */
  host?: string;
  clock?: Clock;
  now?: () => number;
  onRefusal?: (refusal: MqttRefusal, clientId: string, detail: string) => void;
  /** Joins the embedded broker to the other nodes' through Redis (the redis mode). */
  cluster?: RedisBrokerParts;
}

/**
 * The device half of the IoT app on an app-kit app: the embedded aedes (TCP on `mqttPort`, WebSocket at `/mqtt` on
 * the app's HTTP server) unless `mqttUrl` names another broker, the Sparkplug host driving `events`, the forked
 * simulator, and `POST /api/faults` for the dashboard's fault buttons. All of it closes with the app (the simulator
 * first, so its nodes end cleanly; the broker last).
 */
export async function attachDevices(kit: WebApp, options: AttachDevicesOptions): Promise<DeviceSide> {
  const hostId = options.hostId ?? 'twohop';
  const group = options.group ?? 'site';
  const credentials = derivedCredentials(options.secret, hostId);
  const metrics = deviceMetrics(kit.metrics.registry);
  const onRefusal = (refusal: MqttRefusal, clientId: string, detail: string) => {
    metrics.refused(refusal);
    options.onRefusal?.(refusal, clientId, detail);
  };
  const broker =
    options.mqttUrl === undefined
      ? await startEmbeddedBroker({
          credentials,
          port: options.mqttPort,
          host: options.host ?? '127.0.0.1',
          http: kit.http,
          onRefusal,
          ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
        })
      : undefined;
  const mqttUrl = options.mqttUrl ?? broker?.url;
  if (mqttUrl === undefined) throw new Error('no broker: give mqttUrl or an embedded TCP port');
  const bridge = await startMqttBridge({
    url: mqttUrl,
    username: credentials.hostUsername,
    password: credentials.hostPassword,
    hostId,
    events: fanOutSiteEvents(options.events, metrics.events),
    ...(options.reorderTimeoutMs === undefined ? {} : { reorderTimeoutMs: options.reorderTimeoutMs }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const plan = options.simulator === false ? undefined : fleetLayout(options.simulator.size, group);
  const simulator =
    options.simulator === false || plan === undefined
      ? undefined
      : await forkSimulator({
          url: mqttUrl,
          group,
          size: options.simulator.size,
          seed: options.simulator.seed,
          ratePerDevice: options.simulator.ratePerDevice,
          credentials: fleetLogins(
            credentials,
            group,
            plan.nodes.map(({ node }) => node),
          ),
        });

  mountSimulatorRoutes(kit.routes, () => simulator);

  kit.onClose({
    async close() {
      await simulator?.close();
      await bridge.close();
      await broker?.close();
    },
  });
  return { broker, bridge, simulator, mqttUrl, credentials };
}
