import {
  eventSourceTransport,
  StreamClient,
  type ClientStream,
  type EventSourceConstructor,
  type StreamClientOptions,
  type TransportFactory,
} from '@twohop/client';
import type { JsonObject, KeyedState } from '@twohop/snapshot-delta';
import type { Alarm } from '../domain/alarms/alarmTypes.js';
import {
  ALARMS_STREAM,
  SITE_STREAM,
  VIEW_PREFIX,
  type DeviceReading,
  type HistoryPoint,
  type HistoryQuery,
} from '../domain/dashboardWire.js';
import { portTransport } from './relay/portTransport.js';
import type { PortLike } from './relay/relayMessages.js';
import { modelFor } from './streamModels.js';
import { ViewUpdater } from './ViewUpdater.js';

/** A dashboard's streams. */
export interface DashboardStreams {
  readonly site: ClientStream<JsonObject, unknown, unknown>;
  readonly alarms: ClientStream<KeyedState<Alarm>, unknown, unknown>;
  readonly view: ClientStream<KeyedState<DeviceReading>, unknown, unknown>;
}

/** Options every session takes. */
export interface SessionOptions {
  /** The server's base URL; '' in a page (its own origin). */
  url: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** The upstream client's reconnection and heartbeat options. */
  client?: Omit<StreamClientOptions, 'transport'>;
}

/** Options of a session that connects by itself. */
export interface DirectSessionOptions extends SessionOptions {
  /** @default a random id */
  viewId?: string;
  /** @default globalThis.EventSource */
  EventSource?: EventSourceConstructor;
  /** The reading rate asked for this view (ms). */
  rateMs?: number;
}

/** An error reply of the dashboard's HTTP routes. */
export class DashboardRequestError extends Error {
  override readonly name = 'DashboardRequestError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A random view id (crypto where there is one). */
export const newViewId = (): string =>
  globalThis.crypto?.randomUUID?.().replaceAll('-', '') ?? `v${Math.random().toString(36).slice(2, 14)}x0`;

/**
 * One dashboard's session: the `site` tree, the `alarms` and its own `view:<id>` of visible devices, each followed by
 * a replica that resumes after any drop, plus the dashboard's requests (visible devices, acknowledge, history,
 * faults). {@link DashboardSession.direct} connects over SSE itself; {@link DashboardSession.shared} goes through the
 * shared worker that holds the browser's one connection.
 */
export class DashboardSession {
  readonly streams: DashboardStreams;
  readonly #url: string;
  readonly #fetch: typeof fetch;
  readonly #setVisible: (devices: readonly string[]) => void;
  readonly #close: () => void;

  private constructor(
    readonly client: StreamClient,
    readonly viewId: string,
    options: SessionOptions,
    visible: { set(devices: readonly string[]): void; close(): void },
  ) {
    this.#url = options.url;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    const follow = (stream: string) => client.subscribe(stream, { model: modelFor(stream) });
    this.streams = {
      site: follow(SITE_STREAM) as DashboardStreams['site'],
      alarms: follow(ALARMS_STREAM) as DashboardStreams['alarms'],
      view: follow(`${VIEW_PREFIX}${viewId}`) as DashboardStreams['view'],
    };
    this.#setVisible = (devices) => visible.set(devices);
    this.#close = () => {
      visible.close();
      client.close();
    };
  }

  /** A session with its own SSE connection (a browser without SharedWorker, a Node client). */
  static direct(options: DirectSessionOptions): DashboardSession {
    const viewId = options.viewId ?? newViewId();
    const transport = eventSourceTransport(`${options.url}/api/sse`, {
      ...(options.EventSource === undefined ? {} : { EventSource: options.EventSource }),
    });
    const client = new StreamClient({ ...options.client, transport });
    const updater = new ViewUpdater({
      url: options.url,
      viewId,
      ...(options.rateMs === undefined ? {} : { rateMs: options.rateMs }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    const session = new DashboardSession(client, viewId, options, updater);
    // A server that restarted has forgotten the view: tell it again whenever the view starts from a snapshot.
    client.events.on('subscribed', ({ stream, recovered }) => {
      if (stream === `${VIEW_PREFIX}${viewId}` && !recovered) updater.resend();
    });
    return session;
  }

  /** A session through the shared worker on `port`: it learns the browser's view id from the worker first. */
  static async shared(port: PortLike, options: SessionOptions): Promise<DashboardSession> {
    let resolveViewId: (viewId: string) => void = () => {};
    const viewId = new Promise<string>((resolve) => (resolveViewId = resolve));
    const transport: TransportFactory = portTransport(port, { onViewId: (id) => resolveViewId(id) });
    const client = new StreamClient({ ...options.client, transport });
    const visible = {
      set: (devices: readonly string[]) => port.postMessage({ type: 'visible', devices }),
      close: () => port.postMessage({ type: 'bye' }),
    };
    return new DashboardSession(client, await viewId, options, visible);
  }

  /** The devices this dashboard has on screen: the view carries their readings, and no others. */
  setVisible(devices: readonly string[]): void {
    this.#setVisible(devices);
  }

  /** Acknowledges an alarm as `user`; every dashboard sees it on the `alarms` stream. */
  async acknowledge(id: string, user: string): Promise<Alarm> {
    const reply = await this.#request<{ alarm: Alarm }>(`/api/alarms/${encodeURIComponent(id)}/ack`, {
      method: 'POST',
      body: { user },
    });
    return reply.alarm;
  }

  /** One device's metric, aggregated per interval, from the server's history. */
  async history(query: HistoryQuery): Promise<HistoryPoint[]> {
    const search = new URLSearchParams(Object.entries(query).map(([key, value]) => [key, String(value)]));
    return (await this.#request<{ points: HistoryPoint[] }>(`/api/history?${search.toString()}`)).points;
  }

  /** Injects a fault into the simulated fleet (`POST /api/faults`). */
  async fault(fault: Record<string, unknown>): Promise<void> {
    await this.#request('/api/faults', { method: 'POST', body: fault });
  }

  close(): void {
    this.#close();
  }

  async #request<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const response = await this.#fetch(`${this.#url}${path}`, {
      method: init.method ?? 'GET',
      ...(init.body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) }),
    });
    const body = (await response.json().catch(() => ({}))) as T & {
      error?: { code: string; message: string };
    };
    if (!response.ok) {
      throw new DashboardRequestError(
        response.status,
        body.error?.code ?? 'internal',
        body.error?.message ?? response.statusText,
      );
    }
    return body;
  }
}
