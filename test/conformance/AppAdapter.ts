import type { TransportFactory } from '@twohop/client';
import type { StateModel } from '@twohop/snapshot-delta';

/**
 * What the conformance suite needs from an app: start it in embedded mode on a free port, follow one of its streams
 * the way its own clients do, make it change, and read the server's truth. Each app contributes one adapter
 * (`test/conformance/apps/`); every property runs against every adapter in the registry.
 */
export interface AppAdapter {
  readonly name: string;
  start(port?: number): Promise<RunningApp>;
}

/** A running app, as the properties drive it. */
export interface RunningApp {
  readonly url: string;
  readonly port: number;
  /** A stream of the app's, its state model, and (if the stream carries one) its checksum. */
  readonly stream: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly model: StateModel<any, any, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly checksum?: (state: any) => number | string;
  /** How the app's own clients connect. */
  transport(): TransportFactory;
  /** Makes the stream change `count` times. */
  cause(count: number): void;
  /** The server's own state of the stream and its position. */
  truth(): { state: unknown; seq: number; epoch: string };
  /** Whether a client's replica state equals the server's. */
  same(client: unknown, server: unknown): boolean;
  /** Changes waiting in per-client queues, summed over connections (to check they stay bounded). */
  queuedChanges(): number;
  /** The bound `queuedChanges` must respect for one stalled client: the distinct keys the stream has changed. */
  queueBound(): number;
  /** Asks the server to treat `client`'s connection as unwritable for `ms` (the app's fault injection). */
  stallRequest: { event: string; payload: (ms: number) => unknown };
  /** Cuts every TCP connection, as a network failure would. */
  dropConnections(): void;
  /** Graceful shutdown: clients are told to reconnect; resolves when the port is free. */
  stop(): Promise<void>;
}
