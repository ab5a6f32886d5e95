import { createApp, HttpError, type AppRuntime, type StreamApp } from '@twohop/app-kit';
import {
  sseStreams,
  StreamCatalog,
  type Closeable,
  type ConnectionLimits,
  type SseStreams,
} from '@twohop/server';
import type { Server as HttpServer } from 'node:http';
import type { IotErrorCode } from '../domain/dashboardWire.js';
import { fleetFaultSchema, type FleetFault } from '../domain/faults.js';
import type { SiteEvents } from '../domain/SiteEvents.js';
import { DashboardHub, type DashboardHubOptions } from './dashboard/DashboardHub.js';
import { mountDashboardRoutes, parseOr400 } from './dashboard/dashboardRoutes.js';
import { SqliteHistory, type SqliteHistoryOptions } from './dashboard/SqliteHistory.js';

/** What the device side is given when it is attached: the events to drive and the app's HTTP server (for MQTT over WebSocket). */
export interface EdgeContext {
  readonly events: SiteEvents;
  readonly http: HttpServer;
}

/** The device side, attached to the app: it drives the dashboards through `events` and takes faults on demand. */
export interface EdgeAttachment extends Closeable {
  /** Injects a fault into the simulated fleet (the UI's fault buttons). */
  fault?(fault: FleetFault): Promise<void> | void;
}

/** Options for {@link createIotServer}. */
export interface IotServerOptions extends Omit<DashboardHubOptions, 'history'> {
  /** Mode and node id, as `/healthz` reports them. @default embedded */
  runtime?: AppRuntime;
  /** Per-connection limits of the stream bindings. */
  limits?: Partial<ConnectionLimits>;
  /** The history store's file and retention; `false` keeps none. @default in memory, one hour */
  history?: SqliteHistoryOptions | false;
  /** How often intervals are closed (ms); 0 leaves it to the caller's `hub.tick()`. @default 250 */
  tickMs?: number;
  /** The site tree's least time between two frames to one dashboard (charts update slower than readings). @default 1000 */
  siteIntervalMs?: number;
  /**
   * Lets a socket.io client ask the server to stall its own connection (`fault {kind: 'stall', ms}`), to watch
   * conflation and catch-up; for demos and the conformance suite. @default false
   */
  allowFaultInjection?: boolean;
  /** Connects the device side (the broker, the bridge, the simulated fleet) to the dashboards' events. */
  edge?: (context: EdgeContext) => EdgeAttachment;
}

/** The IoT app, assembled but not listening. */
export interface IotServer extends StreamApp {
  readonly catalog: StreamCatalog;
  /** The dashboard streams and what feeds them; `hub` is the {@link SiteEvents} the bridge drives. */
  readonly hub: DashboardHub;
  /** The streams over Server-Sent Events at `GET /api/sse?stream=<name>`. */
  readonly sse: SseStreams;
  readonly edge: EdgeAttachment | undefined;
}

/**
 * Builds the IoT app on app-kit: the dashboard streams (`site`, `alarms`, `devices`, `view:<id>`) served over SSE at
 * `/api/sse` (and socket.io, as every twohop app), the views, acknowledge and history routes, fault injection into
 * the device side, and a timer that closes the aggregate and history intervals.
 */
export function createIotServer(options: IotServerOptions = {}): IotServer {
  const { history: historyOptions, ...hubOptions } = options;
  const history = historyOptions === false ? undefined : new SqliteHistory(historyOptions ?? {});
  const hub = new DashboardHub({ ...hubOptions, ...(history === undefined ? {} : { history }) });
  const catalog = new StreamCatalog()
    // Alarms go out at once and whole: never merged, never throttled.
    .add(hub.alarms.publisher, { delivery: 'reliable' })
    .add(hub.site.publisher, { delivery: 'conflate', intervalMs: options.siteIntervalMs ?? 1000 })
    .add(hub.devices, { delivery: 'conflate', intervalMs: 1000 })
    .setResolver((stream) => hub.views.resolve(stream));
  const limits = options.limits;
  const kit = createApp({
    name: 'iot',
    ...(options.runtime === undefined ? {} : { runtime: options.runtime }),
    webRoot: new URL('../../dist/web/', import.meta.url),
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

  const edge = options.edge?.({ events: hub, http: kit.http });
  kit.routes.post('/api/faults', async (request, response) => {
    const fault = parseOr400(fleetFaultSchema, request.body);
    if (edge?.fault === undefined)
      throw new HttpError<IotErrorCode>(503, 'fault_unavailable', 'no simulated fleet attached');
    await edge.fault(fault);
    response.json({ ok: true, fault });
  });

  const tickMs = options.tickMs ?? 250;
  const timers: NodeJS.Timeout[] = [];
  if (tickMs > 0) {
    timers.push(setInterval(() => hub.tick(), tickMs));
    timers.push(setInterval(() => hub.prune(), 60_000));
    for (const timer of timers) timer.unref();
  }
  kit.onClose(sse);
  if (edge !== undefined) kit.onClose(edge);
  kit.onClose({
    close() {
      for (const timer of timers) clearInterval(timer);
      history?.close();
    },
  });
  return Object.assign(kit, { catalog, hub, sse, edge });
}
