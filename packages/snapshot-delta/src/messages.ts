/** A checksum over a stream's state, computed by a function the app supplies (for example CRC32 of the top 10). */
export type Checksum = number | string;

/** The full state of a stream as of `seq` (see "Server → client messages" in `docs/protocol.md`). */
export interface SnapshotMessage<W> {
  readonly type: 'snapshot';
  readonly stream: string;
  readonly epoch: string;
  readonly seq: number;
  readonly data: W;
  readonly checksum?: Checksum;
}

/**
 * The changes `from..seq` of a stream. `from` is omitted for a single change; `from < seq` marks a conflated delta,
 * whose data is the latest change per key over that range.
 */
export interface DeltaMessage<D> {
  readonly type: 'delta';
  readonly stream: string;
  readonly epoch: string;
  readonly seq: number;
  readonly from?: number;
  readonly data: D;
  /** The checksum of the state after this delta, when the stream carries checksums. */
  readonly checksum?: Checksum;
  /**
   * Server time (ms since the epoch) of the newest change in this delta, when the stream carries timestamps — for
   * measuring source-to-screen latency. Conflated deltas carry the newest change's time.
   */
  readonly ts?: number;
}

/** Several deltas of one stream in one frame, in seq order. */
export interface BatchMessage<D> {
  readonly type: 'batch';
  readonly stream: string;
  readonly items: readonly DeltaMessage<D>[];
}

/** What a stream sends to a subscriber. */
export type StreamMessage<W, D> = SnapshotMessage<W> | DeltaMessage<D> | BatchMessage<D>;
