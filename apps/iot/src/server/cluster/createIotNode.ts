import { createApp, sharedSecret, type AppRuntime, type StreamApp } from '@twohop/app-kit';
import type { Bus } from '@twohop/bus';
import { sseStreams, StreamCatalog, type ConnectionLimits, type SseStreams } from '@twohop/server';
import type { AddressInfo } from 'node:net';
import type { FleetSize } from '../../domain/fleetLayout.js';
import { derivedCredentials } from '../broker/credentials.js';
import { redisBrokerParts } from '../broker/redisBrokerParts.js';
import type { SqliteHistoryOptions } from '../dashboard/SqliteHistory.js';
import { ClusterDirectory, MQTT_SECRET_STREAM, type ServiceKind } from './ClusterDirectory.js';
import { startHostRole, type HostRole } from './hostRole.js';
import { startServingRole, type ServingRole } from './servingRole.js';
import { startSimulatorRole, type SimulatorRole } from './simulatorRole.js';

/**
 * What an IoT process does in a cluster:
 * - `host`: the Sparkplug host (once per cluster): the bridge, the alarms, the history; publishes to the bus;
 * - `node`: a broker for the devices and the dashboards' streams, mirrored from the bus (any number);
 * - `simulator`: the simulated fleet (once per cluster), connected to the nodes' brokers.
 */
export type IotRole = 'host' | 'node' | 'simulator';

/** The roles, as `IOT_ROLE` accepts them. */
export const IOT_ROLES = ['host', 'node', 'simulator'] as const satisfies readonly IotRole[];

/** Options for {@link createIotNode}. */
export interface IotNodeOptions {
  role: IotRole;
  /** The bus every process shares (a `redisBus`). */
  bus: Bus;
  /** The Redis the brokers share (mqemitter-redis, aedes-persistence-redis). */
  redisUrl: string;
  runtime?: AppRuntime;
  webRoot?: string | URL;
  /** The secret every MQTT password derives from. @default one shared through the bus (see `sharedSecret`) */
  secret?: string;
  /** A `node`'s MQTT TCP port (0: a free one, listed at `GET /api/brokers`; `false`: none). @default 0 */
  mqttPort?: number | false;
  /** The host name the other processes and the devices reach this one by. @default '127.0.0.1' */
  advertiseHost?: string;
  /** The brokers' heartbeat (ms): a broker silent for three is dead and its clients' wills go out. @default 5000 */
  brokerHeartbeatMs?: number;
  /** The `simulator`'s fleet. */
  simulator?: { size: FleetSize; seed: number; ratePerDevice: number };
  /** The `host`'s history. @default in memory, one hour */
  history?: SqliteHistoryOptions | false;
  /** The `host`'s interval timer (ms); 0 leaves `hub.tick()` to the caller. @default 250 */
  tickMs?: number;
  /** The `host`'s reorder window (ms). @default 2000 */
  reorderTimeoutMs?: number;
  /** The site tree's least time between two frames to one dashboard. @default 1000 */
  siteIntervalMs?: number;
  limits?: Partial<ConnectionLimits>;
  now?: () => number;
  /** Hears what the bus side could not do; each part recovers on its own. */
  onBusError?: (error: unknown) => void;
}

/** One IoT process of a cluster. */
export interface IotNode extends StreamApp {
  readonly role: IotRole;
  readonly catalog: StreamCatalog;
  readonly sse: SseStreams;
  readonly directory: ClusterDirectory;
  /** The host's parts, on the `host`. */
  readonly host: HostRole | undefined;
  /** The serving parts, on a `node`. */
  readonly serving: ServingRole | undefined;
  /** The simulator's fleet, on the `simulator`. */
  readonly simulator: SimulatorRole | undefined;
}

/**
 * One process of the IoT app on several nodes sharing Redis, in its {@link IotRole}. One host processes every
 * reading (Sparkplug has one primary host; two would process each reading twice, every broker seeing every
 * publish); nodes serve the dashboards from the bus; the simulator stands for the devices. They find one another
 * through the {@link ClusterDirectory} on the bus: the host and the simulator announce their HTTP address once
 * listening, each node its broker's MQTT address.
 */
export async function createIotNode(options: IotNodeOptions): Promise<IotNode> {
  const catalog = new StreamCatalog();
  const kit = createApp({
    name: 'iot',
    ...(options.runtime === undefined ? {} : { runtime: options.runtime }),
    webRoot: options.webRoot ?? new URL('../../../dist/web/', import.meta.url),
    uiHint: 'pnpm --filter @twohop/iot build',
    catalog,
    bus: options.bus,
    ...(options.limits === undefined ? {} : { streams: { limits: options.limits } }),
  });
  const limits = options.limits;
  const sse = sseStreams({ catalog, metrics: kit.metrics, ...(limits === undefined ? {} : { limits }) });
  kit.routes.get('/api/sse', sse.handler);
  kit.onClose(sse);

  const directory = new ClusterDirectory(options.bus, options.now);
  const node = kit.runtime.node;
  const advertiseHost = options.advertiseHost ?? '127.0.0.1';
  const announceOnListen = (kind: ServiceKind) =>
    kit.http.once('listening', () => {
      const { port } = kit.http.address() as AddressInfo;
      directory
        .announce(kind, node, `http://${advertiseHost}:${port}`)
        .catch(options.onBusError ?? (() => {}));
    });
  const cluster = () =>
    redisBrokerParts({
      url: options.redisUrl,
      ...(options.brokerHeartbeatMs === undefined ? {} : { heartbeatMs: options.brokerHeartbeatMs }),
    });
  const secret = options.secret ?? (await sharedSecret(options.bus, MQTT_SECRET_STREAM));
  const credentials = derivedCredentials(secret, 'twohop');
  const optional = <K extends keyof IotNodeOptions>(key: K) =>
    (options[key] === undefined ? {} : { [key]: options[key] }) as Partial<Pick<IotNodeOptions, K>>;

  let host: HostRole | undefined;
  let serving: ServingRole | undefined;
  let simulator: SimulatorRole | undefined;
  try {
    if (options.role === 'host') {
      host = await startHostRole(kit, {
        bus: options.bus,
        cluster: cluster(),
        secret,
        ...optional('history'),
        ...optional('tickMs'),
        ...optional('reorderTimeoutMs'),
        ...optional('now'),
        ...optional('onBusError'),
      });
      announceOnListen('host');
    } else if (options.role === 'node') {
      serving = await startServingRole(kit, catalog, {
        bus: options.bus,
        directory,
        cluster: cluster(),
        credentials,
        mqttPort: options.mqttPort ?? 0,
        advertiseHost,
        node,
        ...optional('siteIntervalMs'),
        ...optional('now'),
        ...optional('onBusError'),
      });
    } else {
      if (options.simulator === undefined) throw new Error('the simulator role needs its fleet (simulator)');
      simulator = startSimulatorRole(kit, {
        directory,
        credentials,
        ...options.simulator,
        ...(options.onBusError === undefined ? {} : { onError: options.onBusError }),
      });
      announceOnListen('simulator');
    }
  } catch (error) {
    await kit.close();
    throw error;
  }
  return Object.assign(kit, { role: options.role, catalog, sse, directory, host, serving, simulator });
}
