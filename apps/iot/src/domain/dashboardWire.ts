/**
 * What the IoT dashboard server and its browsers say to each other: the streams' names and value shapes, the
 * requests' schemas (validated with zod on the server), the limits, and the error codes. Shared by the server, the
 * browser UI and the scenario clients.
 */
import { z } from 'zod';
import type { Alarm } from './alarms/alarmTypes.js';
import type { MetricAggregate } from './aggregation/SiteAggregates.js';

/** The site tree (JSON Patch deltas): buildings → floors → nodes and devices, with aggregates. */
export const SITE_STREAM = 'site';
/** Every device's readings (keyed, conflated): the "everything" a visible-only view is measured against. */
export const DEVICES_STREAM = 'devices';
/** Every alarm kept (keyed by alarm id, never conflated). */
export const ALARMS_STREAM = 'alarms';
/** One dashboard's visible devices (keyed by device id, conflated to the dashboard's rate): `view:<id>`. */
export const VIEW_PREFIX = 'view:';

/** The most devices one dashboard may have on screen at once. */
export const MAX_VISIBLE = 500;
/** The fastest and slowest reading rates a dashboard may ask for, and the default. */
export const VIEW_RATE_MS = { min: 100, max: 10_000, default: 250 } as const;
/** View ids: what a browser makes up (a random id), 8–64 letters, digits, `_` or `-`. */
export const VIEW_ID = /^[\w-]{8,64}$/;
/** Device ids: Sparkplug names joined by `/` (group/node/device). */
export const DEVICE_ID = /^\w[\w.:-]{0,63}(\/\w[\w.:-]{0,63}){0,3}$/;

/** A device's latest state in a view stream. */
export interface DeviceReading {
  /** The latest value of each metric. */
  readonly values: Readonly<Record<string, number>>;
  /** When the device measured the newest of them (ms since the epoch). */
  readonly ts: number;
  /** False from its node's death (or its own) until its next birth. */
  readonly online: boolean;
}

/**
 * An edge node in the site tree: whether it is alive, what the bridge did about its sequence, and its devices'
 * online flags (a device is online only while its node is too).
 */
export interface NodeState {
  readonly online: boolean;
  /** The `bdSeq` of its latest birth. */
  readonly bdSeq: number;
  /** Sequence gaps the bridge saw from this node. */
  readonly gaps: number;
  /** Births received (the first and every rebirth). */
  readonly births: number;
  /** Its devices by device id: online since their DBIRTH, offline from a DDEATH or a new NBIRTH. */
  readonly devices: Readonly<Record<string, boolean>>;
}

/** One edge event the site tree keeps for the stream inspector: a gap, the rebirth asked for, the birth, a death. */
export interface EdgeEvent {
  readonly kind: 'gap' | 'rebirth' | 'birth' | 'death' | 'stale-death' | 'reordered' | 'malformed';
  /** The node (`group/node`), or the topic of a message that could not be used. */
  readonly node: string;
  readonly at: number;
  readonly detail: string;
}

/** The site tree's shape (what the JSON Patch deltas change). */
export interface SiteTree {
  buildings?: Record<string, BuildingState>;
  /** The newest edge events, keyed by a rising number (the oldest are removed). */
  events?: Record<string, EdgeEvent>;
}

export interface BuildingState {
  agg?: Record<string, MetricAggregate>;
  floors?: Record<string, FloorState>;
}

export interface FloorState {
  agg?: Record<string, MetricAggregate>;
  /** Nodes by `group/node`. */
  nodes?: Record<string, NodeState>;
}

export type { Alarm };

/** `PUT /api/views/:id`: the devices on screen (replacing the last set) and the reading rate. */
export const viewRequestSchema = z.strictObject({
  devices: z.array(z.string().regex(DEVICE_ID)).max(MAX_VISIBLE),
  rateMs: z.number().int().min(VIEW_RATE_MS.min).max(VIEW_RATE_MS.max).optional(),
});
export type ViewRequest = z.infer<typeof viewRequestSchema>;

/** `POST /api/alarms/:id/ack`: who acknowledges. */
export const acknowledgeSchema = z.strictObject({ user: z.string().trim().min(1).max(64) });

/** `GET /api/history`: one device's metric, aggregated per `intervalMs` between `from` and `to`. */
export const historyQuerySchema = z
  .strictObject({
    device: z.string().regex(DEVICE_ID),
    metric: z.string().regex(/^[\w.-]{1,64}$/),
    from: z.coerce.number().int().min(0),
    to: z.coerce.number().int().min(0),
    intervalMs: z.coerce.number().int().min(1000).max(86_400_000),
  })
  .refine((query) => query.from < query.to, { message: 'from must be before to', path: ['from'] })
  .refine((query) => (query.to - query.from) / query.intervalMs <= 2000, {
    message: 'at most 2000 intervals per query',
    path: ['intervalMs'],
  });
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

/** One interval of a history answer. */
export interface HistoryPoint {
  readonly t: number;
  readonly avg: number;
  readonly min: number;
  readonly max: number;
  /** How many readings the interval holds. */
  readonly n: number;
}

/** The error codes the dashboard's routes answer with (beside app-kit's own). */
export const IOT_ERROR_CODES = [
  'invalid_request',
  'unknown_alarm',
  'host_unavailable',
  'simulator_unavailable',
] as const;
export type IotErrorCode = (typeof IOT_ERROR_CODES)[number];
