import type { FleetFault } from '../domain/faults.js';
import type { FleetSize } from '../domain/fleetLayout.js';
import type { MetricName } from '../domain/site.js';

/** What one simulated edge node has done. */
export interface EdgeNodeStats {
  /** Messages published (births and data). */
  sent: number;
  /** Data messages numbered but dropped by a `lose` fault. */
  lost: number;
  /** Data messages sent after the one that followed them (`reorder` faults). */
  reordered: number;
  /** Times it published its births (the first, each rebirth, each new session). */
  births: number;
  /** Rebirth commands it answered. */
  rebirths: number;
  /** MQTT sessions it opened (each with the next bdSeq). */
  sessions: number;
}

/** The whole fleet's counters. */
export interface FleetStats extends EdgeNodeStats {
  readonly nodes: number;
  readonly devices: number;
  /** Nodes with a live session. */
  readonly alive: number;
}

/** The simulator's truth for one device: what the host must converge to. */
export interface DeviceTruth {
  /** Whether its node has a live session. */
  readonly online: boolean;
  readonly values: Record<MetricName, number>;
}

/** What the simulator process is started with (JSON, as its one argument). */
export interface SimulatorProcessOptions {
  /** The broker the nodes connect to, or a cluster's brokers (see `EdgeNodeOptions.url`). */
  readonly url: string | readonly string[];
  readonly group: string;
  readonly size: FleetSize;
  readonly seed: number;
  readonly ratePerDevice: number;
  /** Each node's MQTT username and password, by node id. */
  readonly credentials: Readonly<Record<string, { username: string; password: string }>>;
}

/** A request from the app to the simulator process (over IPC), answered by a {@link SimulatorReply} with its id. */
export type SimulatorRequest =
  | { readonly id: number; readonly type: 'fault'; readonly fault: FleetFault }
  | { readonly id: number; readonly type: 'pause'; readonly paused: boolean }
  | { readonly id: number; readonly type: 'brokers'; readonly urls: readonly string[] }
  | { readonly id: number; readonly type: 'truth' }
  | { readonly id: number; readonly type: 'stats' }
  | { readonly id: number; readonly type: 'ended-sessions' };

/** The simulator process's answers, and its one `ready` announcement. */
export type SimulatorReply =
  | { readonly type: 'ready'; readonly stats: FleetStats }
  | { readonly id: number; readonly ok: true; readonly result?: unknown }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string };
    };
