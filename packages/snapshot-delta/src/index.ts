/**
 * @twohop/snapshot-delta — keeping a client's copy of server state in step: a full snapshot, then sequenced
 * deltas, with resume from a history ring and resync on any doubt.
 *
 * Server: a {@link StreamSource} — {@link StreamPublisher} (numbers its own changes) or {@link StreamMirror}
 * (follows changes numbered upstream) — each with a {@link HistoryRing}. Client: {@link Replica} (rules 1–6).
 * State models: {@link keyedState} (set / remove per key) and {@link jsonPatchState} (idempotent JSON Patch).
 * No Node, transport or framework dependency.
 */
export { HistoryRing } from './HistoryRing.js';
export {
  jsonPatchState,
  pointer,
  type Json,
  type JsonObject,
  type KeyedPatchOperation,
} from './jsonPatchState.js';
export {
  keyedSplitter,
  keyedState,
  removeKey,
  setKey,
  type KeyedChange,
  type KeyedSnapshot,
  type KeyedState,
} from './keyedState.js';
export type { BatchMessage, Checksum, DeltaMessage, SnapshotMessage, StreamMessage } from './messages.js';
export {
  Replica,
  type DeltaOutcome,
  type ReplicaOptions,
  type ReplicaStats,
  type ReplicaStatus,
  type ResyncReason,
} from './Replica.js';
export type { DeltaSplitter, StateModel } from './StateModel.js';
export {
  StreamMirror,
  type MirrorStats,
  type MirrorStatus,
  type StreamMirrorOptions,
  type UpstreamCatchUp,
  type UpstreamDelta,
  type UpstreamSnapshot,
} from './StreamMirror.js';
export { StreamPublisher, type StreamPublisherOptions } from './StreamPublisher.js';
export type { ResumePlan, SourceEvent, SourceListener, SourceReset, StreamSource } from './StreamSource.js';
