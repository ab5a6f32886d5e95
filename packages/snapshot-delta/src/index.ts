/**
 * @twohop/snapshot-delta — keeping a client's copy of server state in step: a full snapshot, then sequenced
 * deltas, with resume from a history ring and resync on any doubt.
 *
 * Server: {@link StreamPublisher} with a {@link HistoryRing}. Client: {@link Replica} (protocol rules 1–6).
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
  StreamPublisher,
  type DeltaListener,
  type ResumePlan,
  type StreamPublisherOptions,
} from './StreamPublisher.js';
