import { GapDetector, isWellFormed, type StreamPosition } from '@twohop/sequence';
import type { Checksum, DeltaMessage, SnapshotMessage, StreamMessage } from './messages.js';
import type { StateModel } from './StateModel.js';

/** Why a replica asks for a fresh snapshot. */
export type ResyncReason =
  /** Rule 3: a delta started beyond the next expected seq. */
  | 'gap'
  /** Rule 4: a delta from another epoch (another history). */
  | 'new-epoch'
  /** Rule 5: the state's checksum differs from the one the server sent. */
  | 'checksum'
  /** A delta whose range or data was malformed. */
  | 'invalid'
  /** The owner asked for it with {@link Replica.resync}. */
  | 'manual';

/** Where a replica is in its life. */
export type ReplicaStatus =
  /** No snapshot yet: deltas are buffered (rule 1). */
  | 'awaiting-snapshot'
  /** Following the stream delta by delta. */
  | 'live'
  /** A resync was asked for: deltas are buffered until the fresh snapshot. */
  | 'resyncing';

/**
 * What a replica did with a delta: applied it, dropped it as a duplicate, buffered it for the coming snapshot,
 * asked for a resync because of it, or rejected it as malformed while waiting for a snapshot.
 */
export type DeltaOutcome = 'applied' | 'duplicate' | 'buffered' | 'resync' | 'rejected';

/** Counters for a UI panel, metrics and tests. */
export interface ReplicaStats {
  snapshots: number;
  /** Deltas applied; `conflated` of them covered more than one seq. */
  applied: number;
  conflated: number;
  duplicates: number;
  resyncs: number;
  /** Buffered deltas dropped because the buffer was full (the gap they leave is caught after the snapshot). */
  bufferDropped: number;
}

/** Options for {@link Replica}. */
export interface ReplicaOptions<S, D, W> {
  /** How the state works; must match the publisher's. */
  model: StateModel<S, D, W>;
  /** Asked to request a fresh snapshot from the server (a `resync` message). Called once per resync. */
  onResync: (reason: ResyncReason) => void;
  /** The app's checksum function, the same as the publisher's. Messages carrying a checksum are verified with it. */
  checksum?: (state: S) => Checksum;
  /** How many deltas to hold while waiting for a snapshot (rule 1). @default 1024 */
  maxBuffered?: number;
}

/**
 * A client's copy of one stream's state, kept in step by the protocol's client rules (`docs/protocol.md`):
 * 1. buffer deltas until the snapshot arrives (bounded);
 * 2. on the snapshot, drop buffered deltas it already covers and apply the rest in order;
 * 3. drop duplicates; on a gap stop applying and ask for a resync;
 * 4. on a new epoch drop the state and ask for a resync;
 * 5. on a checksum mismatch ask for a resync;
 * 6. expose the position to resume from after a reconnect.
 *
 * It never applies across a gap: only a snapshot moves it past one.
 */
export class Replica<S, D, W> {
  readonly #model: StateModel<S, D, W>;
  readonly #onResync: (reason: ResyncReason) => void;
  readonly #checksum: ((state: S) => Checksum) | undefined;
  readonly #maxBuffered: number;
  #state: S;
  #status: ReplicaStatus = 'awaiting-snapshot';
  #detector: GapDetector | undefined;
  #buffer: DeltaMessage<D>[] = [];
  readonly #stats: ReplicaStats = {
    snapshots: 0,
    applied: 0,
    conflated: 0,
    duplicates: 0,
    resyncs: 0,
    bufferDropped: 0,
  };

  constructor(options: ReplicaOptions<S, D, W>) {
    this.#model = options.model;
    this.#onResync = options.onResync;
    this.#checksum = options.checksum;
    this.#maxBuffered = options.maxBuffered ?? 1024;
    this.#state = options.model.create();
  }

  /** The replicated state. Read it, never change it. While resyncing it is the last good (stale) state. */
  get state(): S {
    return this.#state;
  }

  get status(): ReplicaStatus {
    return this.#status;
  }

  /** The last applied position — the resume point (rule 6) — or undefined before the first snapshot. */
  get position(): StreamPosition | undefined {
    return this.#detector?.position;
  }

  /** Deltas waiting for a snapshot. */
  get buffered(): number {
    return this.#buffer.length;
  }

  get stats(): ReplicaStats {
    return { ...this.#stats };
  }

  /** Takes any server message for this stream; anything that is not a snapshot, delta or batch is ignored. */
  receive(message: StreamMessage<W, D>): void {
    if (message.type === 'snapshot') this.applySnapshot(message);
    else if (message.type === 'delta') this.applyDelta(message);
    else if (message.type === 'batch' && Array.isArray(message.items)) {
      for (const item of message.items) this.applyDelta(item);
    }
  }

  /**
   * Rule 2: replaces the state with the snapshot and applies the buffered deltas it does not cover. While live, a
   * snapshot of the same epoch that is not ahead of the state is stale and ignored: taking it would lose the deltas
   * applied since, which the server will not send again. Returns whether the snapshot was taken.
   */
  applySnapshot(snapshot: SnapshotMessage<W>): boolean {
    const position = this.#detector?.position;
    if (this.#status === 'live' && position?.epoch === snapshot.epoch && snapshot.seq <= position.seq)
      return false;
    let state: S;
    try {
      state = this.#model.restore(snapshot.data);
    } catch {
      this.#requestResync('invalid');
      return false;
    }
    this.#state = state;
    this.#stats.snapshots++;
    this.#detector = new GapDetector(snapshot);
    this.#status = 'live';
    if (!this.#verify(snapshot.checksum)) return true;

    const buffered = this.#buffer
      .filter((delta) => delta.epoch === snapshot.epoch && delta.seq > snapshot.seq)
      .sort((a, b) => a.seq - b.seq);
    this.#buffer = [];
    for (const delta of buffered) {
      if (this.applyDelta(delta) === 'resync') break;
    }
    return true;
  }

  /** Rules 1, 3, 4 and 5 for one delta. */
  applyDelta(delta: DeltaMessage<D>): DeltaOutcome {
    const detector = this.#detector;
    if (this.#status !== 'live' || detector === undefined) {
      // A malformed range is never buffered: it would fail again after every snapshot.
      if (!isWellFormed(delta)) return 'rejected';
      this.#bufferDelta(delta);
      return 'buffered';
    }
    const verdict = detector.classify(delta);
    if (verdict === 'duplicate') {
      this.#stats.duplicates++;
      return 'duplicate';
    }
    if (verdict !== 'apply') {
      if (verdict === 'new-epoch') {
        // Rule 4: another history; this state means nothing in it.
        this.#state = this.#model.create();
        this.#detector = undefined;
      }
      this.#requestResync(verdict);
      // A gapped or new-epoch delta may continue the snapshot the resync brings, so keep it.
      if (verdict !== 'invalid') this.#bufferDelta(delta);
      return 'resync';
    }
    try {
      this.#model.apply(this.#state, delta.data);
    } catch {
      this.#requestResync('invalid');
      return 'resync';
    }
    detector.advanceTo(delta.seq);
    this.#stats.applied++;
    if (delta.from !== undefined && delta.from < delta.seq) this.#stats.conflated++;
    return delta.checksum === undefined || this.#verify(delta.checksum) ? 'applied' : 'resync';
  }

  /** Asks for a fresh snapshot now, e.g. when the UI's user suspects the view. */
  resync(): void {
    this.#requestResync('manual');
  }

  /** Rule 5. */
  #verify(expected: Checksum | undefined): boolean {
    if (expected === undefined || this.#checksum === undefined) return true;
    if (this.#checksum(this.#state) === expected) return true;
    this.#requestResync('checksum');
    return false;
  }

  /** Rule 1, bounded: when full, the oldest goes; the hole it leaves is caught as a gap after the snapshot. */
  #bufferDelta(delta: DeltaMessage<D>): void {
    if (this.#buffer.length >= this.#maxBuffered) {
      this.#buffer.shift();
      this.#stats.bufferDropped++;
    }
    this.#buffer.push(delta);
  }

  #requestResync(reason: ResyncReason): void {
    this.#status = 'resyncing';
    this.#stats.resyncs++;
    this.#onResync(reason);
  }
}
