import type { App } from '@twohop/app-kit';
import { publishToBus, type Bus, type BusPublication } from '@twohop/bus';
import { FleetState } from '../../domain/FleetState.js';
import { fanOutSiteEvents } from '../../domain/SiteEvents.js';
import type { RedisBrokerParts } from '../broker/redisBrokerParts.js';
import { DashboardHub, type DashboardHubOptions } from '../dashboard/DashboardHub.js';
import { mountHostRoutes } from '../dashboard/dashboardRoutes.js';
import { SqliteHistory, type SqliteHistoryOptions } from '../dashboard/SqliteHistory.js';
import { attachDevices, type DeviceSide } from '../edge/attachDevices.js';

/** Options for {@link startHostRole}. */
export interface HostRoleOptions extends Omit<DashboardHubOptions, 'history' | 'now'> {
  bus: Bus;
  /** The host's own broker's part of the cluster (its bridge connects to it; devices connect to the nodes'). */
  cluster: RedisBrokerParts;
  secret: string;
  /** The history's file and retention; `false` keeps none. @default in memory, one hour */
  history?: SqliteHistoryOptions | false;
  /** How often intervals are closed (ms); 0 leaves it to the caller's `hub.tick()`. @default 250 */
  tickMs?: number;
  /** Reorder window of the host (ms). @default 2000 */
  reorderTimeoutMs?: number;
  now?: () => number;
  onBusError?: (error: unknown) => void;
}

/** The Sparkplug host of a cluster, running. */
export interface HostRole {
  readonly hub: DashboardHub;
  readonly fleet: FleetState;
  readonly devices: DeviceSide;
  /** Resolves once every change made so far is on the bus. */
  flushed(): Promise<void>;
}

/**
 * The one process of a cluster that processes readings: the Sparkplug host. Its own aedes joins the others through
 * Redis, so its bridge (subscribed to `spBv1.0/#`) hears every edge node on every broker — once, because no other
 * process runs a bridge — and its NCMD reach a node on any broker. What it accepts feeds the {@link DashboardHub}
 * (site tree, alarms, devices, history) as in one process; `publishToBus` copies the three streams to the bus,
 * where every serving node mirrors them. It answers the acknowledge and the history (forwarded by the nodes), and
 * serves no stream itself.
 */
export async function startHostRole(kit: App, options: HostRoleOptions): Promise<HostRole> {
  const {
    history: historyOptions,
    bus,
    cluster,
    secret,
    tickMs = 250,
    reorderTimeoutMs,
    onBusError,
    ...hubOptions
  } = options;
  const history = historyOptions === false ? undefined : new SqliteHistory(historyOptions ?? {});
  const hub = new DashboardHub({ ...hubOptions, ...(history === undefined ? {} : { history }) });
  mountHostRoutes(kit.routes, hub);
  const publish = { onError: onBusError ?? (() => {}) };
  const publications: BusPublication[] = [];
  const timers: NodeJS.Timeout[] = [];
  kit.onClose({
    async close() {
      for (const timer of timers) clearInterval(timer);
      hub.flushHistory();
      history?.close();
      await Promise.all(publications.map((publication) => publication.close()));
    },
  });
  publications.push(await publishToBus(hub.site.publisher, bus, publish));
  publications.push(await publishToBus(hub.alarms.publisher, bus, publish));
  publications.push(await publishToBus(hub.devices, bus, publish));

  const fleet = new FleetState();
  const devices = await attachDevices(kit, {
    mqttPort: 0,
    secret,
    simulator: false,
    cluster,
    events: fanOutSiteEvents(fleet, hub),
    ...(reorderTimeoutMs === undefined ? {} : { reorderTimeoutMs }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  if (tickMs > 0) {
    timers.push(setInterval(() => hub.tick(), tickMs));
    timers.push(setInterval(() => hub.prune(), 60_000));
    for (const timer of timers) timer.unref();
  }
  return {
    hub,
    fleet,
    devices,
    flushed: async () => {
      await Promise.all(publications.map((publication) => publication.flushed()));
    },
  };
}
