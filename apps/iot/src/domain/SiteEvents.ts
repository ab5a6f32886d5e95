import type { DeviceAddress, NodeAddress, NodePlacement, Reading } from './site.js';

/**
 * What the Sparkplug host (the bridge) tells the rest of the app, in the order it decided it — the seam between the
 * device side (MQTT, Sparkplug, the broker) and the dashboard side (streams, history, alarms). Every event is about
 * state the bridge has accepted in seq order; nothing here is raw MQTT.
 *
 * Lifecycle of one node: `nodeBorn` (its earlier state is void: every device it had is unknown until its own
 * `deviceBorn`), then `deviceBorn` for each device, then `readings`/`deviceDied`/`deviceBorn` in any order, until
 * `nodeDied` (the node and all its devices are offline at once). A rebirth is just `nodeBorn` again.
 */
export interface SiteEvents {
  /** An NBIRTH was accepted: the node is online with a new `bdSeq`. */
  nodeBorn(event: NodeBirth): void;
  /** A DBIRTH was accepted: the device is online and `readings` is its full state (it replaces what was known). */
  deviceBorn(event: DeviceBirth): void;
  /** A DDATA was accepted: some metrics of a live device changed. */
  readings(event: DeviceReadings): void;
  /** A DDEATH was accepted: the device is offline (its node lives on). */
  deviceDied(event: DeviceDeath): void;
  /** A current NDEATH arrived (or the host lost the node): the node and every device on it are offline. */
  nodeDied(event: NodeDeath): void;
  /** What the bridge noticed and did about it, for the stream inspector: gaps, rebirths, stale deaths, reordering. */
  bridge(event: BridgeEvent): void;
}

/** An accepted NBIRTH. */
export interface NodeBirth {
  readonly node: NodeAddress;
  /** The birth/death sequence number this session's NDEATH (its MQTT will) will carry. */
  readonly bdSeq: number;
  /** The building and floor it serves. */
  readonly placement: NodePlacement;
  /** The NBIRTH's timestamp (ms since the Unix epoch, the node's clock). */
  readonly ts: number;
}

/** An accepted DBIRTH: the device's complete state. */
export interface DeviceBirth {
  readonly device: DeviceAddress;
  /** Every metric the device reports, with its current value. */
  readonly readings: readonly Reading[];
  readonly ts: number;
}

/** An accepted DDATA: the metrics that changed. */
export interface DeviceReadings {
  readonly device: DeviceAddress;
  readonly readings: readonly Reading[];
  readonly ts: number;
}

/** An accepted DDEATH. */
export interface DeviceDeath {
  readonly device: DeviceAddress;
  readonly ts: number;
}

/** Why a node went offline. */
export type NodeDeathCause =
  /** Its NDEATH (the MQTT will, or a clean one sent before disconnecting) with the current `bdSeq`. */
  | 'ndeath'
  /** The host itself lost its broker connection, so it can no longer vouch for any node. */
  | 'host-offline';

/** A node (and every device on it) went offline. */
export interface NodeDeath {
  readonly node: NodeAddress;
  /** The `bdSeq` of the session that ended. */
  readonly bdSeq: number;
  readonly cause: NodeDeathCause;
  /** When the host decided it (host clock, ms since the Unix epoch). */
  readonly ts: number;
}

/**
 * What the bridge noticed about a node's message stream and did. `ts` is the host's wall clock (ms since the Unix
 * epoch); `seq` values are Sparkplug's 0–255.
 */
export type BridgeEvent =
  /** A hole in the node's seq outlived the reorder window (or an arrival came too far ahead). */
  | {
      readonly type: 'gap';
      readonly node: NodeAddress;
      readonly expected: number;
      readonly received: number;
      readonly reason: 'timeout' | 'capacity';
      readonly ts: number;
    }
  /** The host sent NCMD `Node Control/Rebirth`; the node's next NBIRTH/DBIRTHs replace its state. */
  | {
      readonly type: 'rebirth-requested';
      readonly node: NodeAddress;
      readonly reason: RebirthReason;
      readonly ts: number;
    }
  /** An arrival that came early waited in the reorder window and was delivered in its place. */
  | { readonly type: 'reordered'; readonly node: NodeAddress; readonly seq: number; readonly ts: number }
  /** An NDEATH whose `bdSeq` is not the live session's was ignored (a late will of an earlier session). */
  | {
      readonly type: 'stale-death-ignored';
      readonly node: NodeAddress;
      readonly bdSeq: number;
      readonly current: number | undefined;
      readonly ts: number;
    }
  /** A message the host could not use (bad topic, undecodable payload, missing seq): dropped, nothing else changed. */
  | { readonly type: 'malformed'; readonly topic: string; readonly reason: string; readonly ts: number };

/** Why the host asked a node to rebirth. */
export type RebirthReason =
  /** A seq gap the reorder window could not fill. */
  | 'gap'
  /** Data from a node (or device) the host has no birth for — e.g. the host started after the node. */
  | 'unknown-node'
  | 'unknown-device';

/** A sink that ignores everything; extend it to listen to some events only. */
export const ignoreSiteEvents: SiteEvents = {
  nodeBorn: () => {},
  deviceBorn: () => {},
  readings: () => {},
  deviceDied: () => {},
  nodeDied: () => {},
  bridge: () => {},
};

/** Sends every event to each sink in turn (e.g. the dashboard streams and a test's recorder). */
export function fanOutSiteEvents(...sinks: readonly SiteEvents[]): SiteEvents {
  return {
    nodeBorn: (event) => sinks.forEach((sink) => sink.nodeBorn(event)),
    deviceBorn: (event) => sinks.forEach((sink) => sink.deviceBorn(event)),
    readings: (event) => sinks.forEach((sink) => sink.readings(event)),
    deviceDied: (event) => sinks.forEach((sink) => sink.deviceDied(event)),
    nodeDied: (event) => sinks.forEach((sink) => sink.nodeDied(event)),
    bridge: (event) => sinks.forEach((sink) => sink.bridge(event)),
  };
}
