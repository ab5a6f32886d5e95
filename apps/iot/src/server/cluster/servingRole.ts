import type { App } from '@twohop/app-kit';
import { mirrorFromBus, type Bus, type BusMirror } from '@twohop/bus';
import type { StreamCatalog } from '@twohop/server';
import {
  jsonPatchState,
  keyedState,
  type JsonObject,
  type KeyedChange,
  type KeyedPatchOperation,
  type KeyedSnapshot,
  type KeyedState,
} from '@twohop/snapshot-delta';
import type { Alarm } from '../../domain/alarms/alarmTypes.js';
import {
  ALARMS_STREAM,
  DEVICES_STREAM,
  SITE_STREAM,
  type DeviceReading,
} from '../../domain/dashboardWire.js';
import type { MqttCredentials } from '../broker/credentials.js';
import { startEmbeddedBroker, type EmbeddedBroker, type MqttRefusal } from '../broker/embeddedBroker.js';
import type { RedisBrokerParts } from '../broker/redisBrokerParts.js';
import { dashboardCatalog } from '../dashboard/dashboardCatalog.js';
import { mountViewRoutes } from '../dashboard/dashboardRoutes.js';
import { ViewRegistry } from '../dashboard/ViewRegistry.js';
import type { ClusterDirectory } from './ClusterDirectory.js';
import { mountForwardedRoutes } from './forwardedRoutes.js';

type Mirror<S, D, W> = BusMirror<S, D, W>;

/** The three streams a serving node follows from the bus. */
export interface DashboardMirrors {
  readonly site: Mirror<JsonObject, readonly KeyedPatchOperation[], JsonObject>;
  readonly alarms: Mirror<KeyedState<Alarm>, readonly KeyedChange<Alarm>[], KeyedSnapshot<Alarm>>;
  readonly devices: Mirror<
    KeyedState<DeviceReading>,
    readonly KeyedChange<DeviceReading>[],
    KeyedSnapshot<DeviceReading>
  >;
}

/** Options for {@link startServingRole}. */
export interface ServingRoleOptions {
  bus: Bus;
  directory: ClusterDirectory;
  cluster: RedisBrokerParts;
  credentials: MqttCredentials;
  /** This node's MQTT TCP port (0: a free one, announced in the directory; `false`: WebSocket at /mqtt only). */
  mqttPort: number | false;
  /** The address the TCP listener binds. @default '127.0.0.1' */
  mqttHost?: string;
  /** The host name other processes and devices use for this node. @default mqttHost */
  advertiseHost?: string;
  /** This node's id in the directory. */
  node: string;
  /** The site tree's least time between two frames to one dashboard. @default 1000 */
  siteIntervalMs?: number;
  maxViews?: number;
  now?: () => number;
  onRefusal?: (refusal: MqttRefusal, clientId: string, detail: string) => void;
  onBusError?: (error: unknown) => void;
}

/** A serving node's parts. */
export interface ServingRole {
  readonly broker: EmbeddedBroker;
  readonly mirrors: DashboardMirrors;
  readonly views: ViewRegistry;
}

/**
 * A serving node (any number per cluster, behind the load balancer): a broker of the cluster for the devices (TCP,
 * and WebSocket at `/mqtt`), and the dashboards. `site`, `alarms` and `devices` are mirrors of the host's streams
 * on the bus (`mirrorFromBus`, a snapshot required, so a stream the bus lost is never served empty), so every node
 * serves the same epoch and seqs and a dashboard resumes on any of them; each dashboard's `view:<id>` is computed
 * here from the `devices` mirror. What only the host or the simulator can answer is forwarded to it. Resolves once
 * the mirrors are live: after the host has published its streams.
 */
export async function startServingRole(
  kit: App,
  catalog: StreamCatalog,
  options: ServingRoleOptions,
): Promise<ServingRole> {
  const mirrors: BusMirror<unknown, unknown, unknown>[] = [];
  kit.onClose({
    async close() {
      await Promise.all(mirrors.map((mirror) => mirror.close()));
    },
  });
  const follow = {
    bus: options.bus,
    historyCapacity: 2048,
    requireSnapshot: true,
    ...(options.onBusError === undefined ? {} : { onError: options.onBusError }),
  };
  const followed = async <S, D, W>(mirror: Promise<BusMirror<S, D, W>>) => {
    const started = await mirror;
    mirrors.push(started as BusMirror<unknown, unknown, unknown>);
    return started;
  };
  const site = await followed(mirrorFromBus({ ...follow, stream: SITE_STREAM, model: jsonPatchState() }));
  const alarms = await followed(
    mirrorFromBus({ ...follow, stream: ALARMS_STREAM, model: keyedState<Alarm>() }),
  );
  const devices = await followed(
    mirrorFromBus({ ...follow, stream: DEVICES_STREAM, model: keyedState<DeviceReading>() }),
  );

  const views = new ViewRegistry({
    latest: (device) => devices.mirror.state.get(device),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.maxViews === undefined ? {} : { maxViews: options.maxViews }),
  });
  devices.mirror.subscribe((event) => {
    // A snapshot replaced the readings as a whole: every view is set again from them.
    if (event.type === 'reset') return views.refresh();
    for (const change of event.data) if (change.op === 'set') views.update(change.key, change.value);
  });
  dashboardCatalog(
    { site: site.mirror, alarms: alarms.mirror, devices: devices.mirror },
    views,
    options.siteIntervalMs,
    catalog,
  );
  mountViewRoutes(kit.routes, views);
  mountForwardedRoutes(kit.routes, options.directory);

  const mqttHost = options.mqttHost ?? '127.0.0.1';
  const broker = await startEmbeddedBroker({
    credentials: options.credentials,
    port: options.mqttPort,
    host: mqttHost,
    http: kit.http,
    cluster: options.cluster,
    ...(options.onRefusal === undefined ? {} : { onRefusal: options.onRefusal }),
  });
  kit.onClose(broker);
  if (broker.port !== undefined)
    await options.directory.announce(
      'broker',
      options.node,
      `mqtt://${options.advertiseHost ?? mqttHost}:${broker.port}`,
    );
  return { broker, mirrors: { site, alarms, devices }, views };
}
