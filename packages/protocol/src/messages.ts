import type { BatchMessage, Checksum, DeltaMessage, SnapshotMessage } from '@twohop/snapshot-delta';
import type { WireError } from './errors.js';

export type { BatchMessage, Checksum, DeltaMessage, SnapshotMessage };

/** Liveness: a client declares the connection dead after a configured silence. */
export interface HeartbeatMessage {
  readonly type: 'heartbeat';
  /** Server time, milliseconds since the epoch. */
  readonly ts: number;
}

/** Everything a server sends on a stream connection. */
export type ServerMessage<W = unknown, D = unknown> =
  SnapshotMessage<W> | DeltaMessage<D> | BatchMessage<D> | HeartbeatMessage;

/** The ack of a subscribe: whether the server resumed by replay (`recovered`) or sent a snapshot. */
export type SubscribeAck = { readonly ok: true; readonly recovered: boolean } | ErrorAck;

/** The ack of `unsubscribe` / `resync`. */
export type Ack = { readonly ok: true } | ErrorAck;

/** A failed request. */
export interface ErrorAck {
  readonly ok: false;
  readonly error: WireError;
}

/** Sent before the server closes a connection on purpose, so the client knows whether and how to come back. */
export interface CloseNotice {
  readonly error: WireError;
  /** Whether to reconnect (and resume). False only for abuse. */
  readonly reconnect: boolean;
}
