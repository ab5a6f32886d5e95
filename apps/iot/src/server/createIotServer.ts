import { createApp, type App, type AppRuntime } from '@twohop/app-kit';
import type { Clock } from '@twohop/sequence';
import { randomBytes } from 'node:crypto';
import { FleetState } from '../domain/FleetState.js';
import { fanOutSiteEvents, type SiteEvents } from '../domain/SiteEvents.js';
import { attachDevices, type DeviceSettings, type DeviceSide } from './edge/attachDevices.js';

/** Options for {@link createIotServer}. */
export interface IotServerOptions extends Partial<DeviceSettings> {
  /** Also told of everything the Sparkplug host accepts (beside the server's own {@link IotServer.fleet}). */
  events?: SiteEvents;
  /** Serves this folder at `/` (the built UI). */
  webRoot?: string;
  runtime?: AppRuntime;
  /** The host's timers (reorder window, rebirth retry). @default systemClock */
  clock?: Clock;
  /** The wall clock (ms since the Unix epoch). @default Date.now */
  now?: () => number;
}

/** The IoT app, assembled (its broker and simulator already running) but not yet listening on HTTP. */
export interface IotServer extends App {
  /** The broker, the Sparkplug host and the simulator. */
  readonly devices: DeviceSide;
  /** Every node's and device's state as the host accepted it. */
  readonly fleet: FleetState;
}

/**
 * The IoT app on app-kit: Sparkplug edge nodes over MQTT (the embedded aedes on `mqttPort` and at `/mqtt`, or
 * `mqttUrl`), the host application that checks their seq, asks for rebirths and follows their deaths, and the forked
 * device simulator. Defaults suit a test: a free MQTT port, a random secret, no simulator.
 */
export async function createIotServer(options: IotServerOptions = {}): Promise<IotServer> {
  const kit = createApp({
    name: 'iot',
    ...(options.runtime === undefined ? {} : { runtime: options.runtime }),
    ...(options.webRoot === undefined ? {} : { webRoot: options.webRoot }),
    uiHint: 'pnpm --filter @twohop/iot build',
  });
  const fleet = new FleetState();
  const devices = await attachDevices(kit, {
    mqttPort: options.mqttPort ?? 0,
    mqttUrl: options.mqttUrl,
    secret: options.secret ?? randomBytes(32).toString('hex'),
    simulator: options.simulator ?? false,
    events: options.events === undefined ? fleet : fanOutSiteEvents(fleet, options.events),
    ...(options.hostId === undefined ? {} : { hostId: options.hostId }),
    ...(options.group === undefined ? {} : { group: options.group }),
    ...(options.reorderTimeoutMs === undefined ? {} : { reorderTimeoutMs: options.reorderTimeoutMs }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return Object.assign(kit, { devices, fleet });
}
