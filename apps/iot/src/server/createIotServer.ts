import { createApp, type AppRuntime, type StreamApp } from '@twohop/app-kit';
import type { Clock } from '@twohop/sequence';
import { sseStreams, type ConnectionLimits, type SseStreams, type StreamCatalog } from '@twohop/server';
import { randomBytes } from 'node:crypto';
import { FleetState } from '../domain/FleetState.js';
import { fanOutSiteEvents, type SiteEvents } from '../domain/SiteEvents.js';
import { dashboardCatalog } from './dashboard/dashboardCatalog.js';
import { DashboardHub, type DashboardHubOptions } from './dashboard/DashboardHub.js';
import { mountDashboardRoutes } from './dashboard/dashboardRoutes.js';
import { SqliteHistory, type SqliteHistoryOptions } from './dashboard/SqliteHistory.js';
import { attachDevices, type DeviceSettings, type DeviceSide } from './edge/attachDevices.js';

/** Options for {@link createIotServer}. */
export interface IotServerOptions
  extends Partial<DeviceSettings>, Omit<DashboardHubOptions, 'history' | 'now'> {
  /** Also told of everything the Sparkplug host accepts (beside the dashboards and {@link IotServer.fleet}). */
  events?: SiteEvents;
  /** Serves this folder at `/` (the built UI). @default the app's dist/web */
  webRoot?: string;
  runtime?: AppRuntime;
  /** The host's timers (reorder window, rebirth retry). @default systemClock */
  clock?: Clock;
  /** The wall clock (ms since the Unix epoch): alarm times, delta stamps, intervals. @default Date.now */
  now?: () => number;
  /** Per-connection limits of the stream bindings. */
  limits?: Partial<ConnectionLimits>;
  /** The history store's file and retention; `false` keeps none. @default in memory, one hour */
  history?: SqliteHistoryOptions | false;
  /** How often intervals are closed (ms); 0 leaves it to the caller's `hub.tick()`. @default 250 */
  tickMs?: number;
  /** The site tree's least time between two frames to one dashboard (the slow tier). @default 1000 */
  siteIntervalMs?: number;
  /**
   * Lets a socket.io client ask the server to stall its own connection (`fault {kind: 'stall', ms}`), to watch
   * conflation and catch-up; for demos and the conformance suite. @default false
   */
  allowFaultInjection?: boolean;
}

/** The IoT app, assembled (its broker and simulator already running) but not yet listening on HTTP. */
export interface IotServer extends StreamApp {
  /** The broker, the Sparkplug host and the simulator. */
  readonly devices: DeviceSide;
  /** Every node's and device's state as the host accepted it. */
  readonly fleet: FleetState;
  readonly catalog: StreamCatalog;
  /** The dashboard streams and what feeds them: the {@link SiteEvents} the host drives. */
  readonly hub: DashboardHub;
  /** The streams over Server-Sent Events at `GET /api/sse?stream=<name>`. */
  readonly sse: SseStreams;
}

/**
 * The IoT app on app-kit. Devices: Sparkplug edge nodes over MQTT (the embedded aedes on `mqttPort` and at `/mqtt`,
 * or `mqttUrl`), the host application that checks their seq, asks for rebirths and follows their deaths, and the
 * forked device simulator. Dashboards: the `site`, `alarms`, `devices` and `view:<id>` streams over SSE at
 * `/api/sse` (and socket.io, as every twohop app), with the views, acknowledge and history routes, and a timer that
 * closes the aggregate and history intervals. Defaults suit a test: a free MQTT port, a random secret, no simulator.
 */
export async function createIotServer(options: IotServerOptions = {}): Promise<IotServer> {
  const { history: historyOptions, ...rest } = options;
  const history = historyOptions === false ? undefined : new SqliteHistory(historyOptions ?? {});
  const hub = new DashboardHub({ ...rest, ...(history === undefined ? {} : { history }) });
  const catalog = dashboardCatalog(
    { alarms: hub.alarms.publisher, site: hub.site.publisher, devices: hub.devices },
    hub.views,
    options.siteIntervalMs,
  );
  const limits = options.limits;
  const kit = createApp({
    name: 'iot',
    ...(options.runtime === undefined ? {} : { runtime: options.runtime }),
    webRoot: options.webRoot ?? new URL('../../dist/web/', import.meta.url),
    uiHint: 'pnpm --filter @twohop/iot build',
    catalog,
    streams: {
      ...(limits === undefined ? {} : { limits }),
      ...(options.allowFaultInjection === true ? { allowFaultInjection: true } : {}),
    },
  });
  const sse = sseStreams({ catalog, metrics: kit.metrics, ...(limits === undefined ? {} : { limits }) });
  kit.routes.get('/api/sse', sse.handler);
  mountDashboardRoutes(kit.routes, hub);
  kit.onClose(sse);

  const fleet = new FleetState();
  const devices = await attachDevices(kit, {
    mqttPort: options.mqttPort ?? 0,
    mqttUrl: options.mqttUrl,
    secret: options.secret ?? randomBytes(32).toString('hex'),
    simulator: options.simulator ?? false,
    events: fanOutSiteEvents(fleet, hub, ...(options.events === undefined ? [] : [options.events])),
    ...(options.hostId === undefined ? {} : { hostId: options.hostId }),
    ...(options.group === undefined ? {} : { group: options.group }),
    ...(options.reorderTimeoutMs === undefined ? {} : { reorderTimeoutMs: options.reorderTimeoutMs }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });

  const tickMs = options.tickMs ?? 250;
  const timers: NodeJS.Timeout[] = [];
  if (tickMs > 0) {
    timers.push(setInterval(() => hub.tick(), tickMs));
    timers.push(setInterval(() => hub.prune(), 60_000));
    for (const timer of timers) timer.unref();
  }
  kit.onClose({
    close() {
      for (const timer of timers) clearInterval(timer);
      hub.flushHistory();
      history?.close();
    },
  });
  return Object.assign(kit, { devices, fleet, catalog, hub, sse });
}
