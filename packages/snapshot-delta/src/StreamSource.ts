import type { StreamPosition } from '@twohop/sequence';
import type { DeltaMessage, SnapshotMessage } from './messages.js';
import type { StateModel } from './StateModel.js';

/** How a subscriber that asked to resume from a position gets back in step (protocol rule 6). */
export type ResumePlan<W, D> =
  | { readonly recovered: true; readonly deltas: DeltaMessage<D>[] }
  | { readonly recovered: false; readonly snapshot: SnapshotMessage<W> };

/**
 * The source broke its history: a new epoch (rule 4), or a mirror that re-bootstrapped past an upstream gap. The
 * deltas before it and the deltas after it do not join up, so a subscriber must drop what it queued and take a
 * fresh {@link StreamSource.snapshot} — the source is at `epoch`/`seq` now.
 */
export interface SourceReset {
  readonly type: 'reset';
  readonly stream: string;
  readonly epoch: string;
  readonly seq: number;
}

/** What a source tells its subscribers: the next delta (always `seq = previous + 1`), or a {@link SourceReset}. */
export type SourceEvent<D> = DeltaMessage<D> | SourceReset;

/** Receives a source's events, in order. */
export type SourceListener<D> = (event: SourceEvent<D>) => void;

/**
 * What hop 1 needs from a stream, whoever numbers its changes: the subscriptions and the fan-out of
 * `@twohop/server` work on this, never on a concrete class. Two implementations:
 * - {@link StreamPublisher} numbers its own changes (one process owns the stream);
 * - {@link StreamMirror} follows changes numbered upstream (a bus, another node) and keeps its own history.
 *
 * The contract every implementation keeps: consecutive deltas a listener receives have consecutive seqs in one
 * epoch; whenever that cannot hold, the listener gets a {@link SourceReset} first. So a subscriber that takes a
 * snapshot on each reset is never served across a gap.
 */
export interface StreamSource<S, D, W> {
  /** The stream's name, e.g. `book:BTC-USD`. */
  readonly stream: string;
  /** How the stream's state works; its `splitter` lets a subscription conflate by key. */
  readonly model: StateModel<S, D, W>;
  /** The position of the newest change in the state served now. */
  readonly position: StreamPosition;
  /** The full state as of {@link StreamSource.position}. */
  snapshot(): SnapshotMessage<W>;
  /** A replay of the deltas after `position` while the history holds them, else a snapshot (protocol rule 6). */
  resume(position: StreamPosition | undefined): ResumePlan<W, D>;
  /** Calls `listener` with every future event; returns a function that stops it. */
  subscribe(listener: SourceListener<D>): () => void;
  /**
   * Only for a source that follows an upstream, as a mirror does, and so may be behind a position a client saw on
   * another node: resolves once this source has served `position` (or has given up on it: a new epoch, a closed
   * source) or `timeoutMs` has passed, whichever comes first — or returns undefined when there is nothing to wait
   * for. A subscribe that resumes from such a position waits for it, so the client gets a replay, not a snapshot
   * older than what it holds.
   */
  reach?(position: StreamPosition, timeoutMs: number): Promise<void> | undefined;
}
