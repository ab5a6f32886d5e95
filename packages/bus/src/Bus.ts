import type { StreamPosition } from '@twohop/sequence';

/** One change in a stream's log, numbered by the bus: `seq` in `epoch`. */
export interface BusEntry<T = unknown> {
  readonly epoch: string;
  readonly seq: number;
  readonly data: T;
  /** The producer's time of the change (ms since the epoch), when it gave one. */
  readonly ts?: number;
}

/** A stream's state as of `seq` in `epoch`, kept by the bus so a newcomer need not replay the whole log. */
export interface BusSnapshot<W = unknown> {
  readonly epoch: string;
  readonly seq: number;
  readonly data: W;
}

/**
 * The answer to {@link Bus.read}: every entry after the given position, or why the log cannot say:
 * - `epoch`: the stream is in another epoch now (reset, or its numbering was lost): re-bootstrap;
 * - `trimmed`: the log no longer holds the next seq: re-bootstrap from a snapshot;
 * - `ahead`: the position is past the log's end, which no reader of this bus can have reached: re-bootstrap.
 * `position` is the stream's position when the bus answered.
 */
export type LogRead<T = unknown> =
  | { readonly ok: true; readonly entries: BusEntry<T>[]; readonly position: StreamPosition }
  | { readonly ok: false; readonly reason: 'epoch' | 'trimmed' | 'ahead'; readonly position: StreamPosition };

/** What a tail hears: each new entry, in seq order, and each reset of the stream (a new epoch at seq 0). */
export type BusEvent<T = unknown> =
  | { readonly type: 'entry'; readonly entry: BusEntry<T> }
  | { readonly type: 'reset'; readonly position: StreamPosition };

/** A live tail on one stream. */
export interface BusTail {
  /** Stops it; no event arrives once this has resolved. */
  close(): Promise<void>;
}

/**
 * Hop 2: how a change reaches every node that serves its stream. The bus keeps, per stream, a log of changes that
 * it numbers itself — atomically, so several producers on several nodes get dense seqs and a gap stays a gap
 * across nodes — plus a snapshot, and tells live tails about each new entry.
 *
 * Every method is async because a network bus is. Calls on one handle take effect in the order they are made, even
 * when the caller does not wait for one answer before the next call (a network bus pipelines them on one
 * connection). Data must survive JSON (a network bus stores text): what a
 * reader gets back is a copy. Implementations: `memoryBus` (in-process, the embedded default); a Redis one maps
 * onto the same methods (see the package README). `busConformance` is the suite each must pass unchanged.
 */
export interface Bus {
  /** Appends one change to `stream`'s log; resolves with the `{epoch, seq}` the bus gave it (seq = previous + 1). */
  append(stream: string, data: unknown, ts?: number): Promise<StreamPosition>;
  /** The stream's current position (a stream never written to is at seq 0 of a fresh epoch). */
  position(stream: string): Promise<StreamPosition>;
  /** The log's entries after `after`, oldest first — or why it cannot give them ({@link LogRead}). */
  read<T = unknown>(stream: string, after: StreamPosition): Promise<LogRead<T>>;
  /**
   * Calls `listener` with every entry appended, and every reset, after the returned promise resolves — in seq
   * order, each once. Tail first, then {@link Bus.read} from your position: together they miss nothing.
   */
  tail<T = unknown>(stream: string, listener: (event: BusEvent<T>) => void): Promise<BusTail>;
  /**
   * Keeps `snapshot` as the stream's snapshot, unless it is of another epoch than the stream's, past the log's
   * end, or older than the one kept. Resolves with whether it was kept.
   */
  saveSnapshot(stream: string, snapshot: BusSnapshot): Promise<boolean>;
  /** The stream's snapshot in its current epoch, if one was kept. */
  loadSnapshot<W = unknown>(stream: string): Promise<BusSnapshot<W> | undefined>;
  /**
   * Starts a new history: a fresh epoch at seq 0, an empty log, and `data` as its snapshot (none when omitted).
   * Tails hear a reset. Resolves with the new position.
   */
  reset(stream: string, data?: unknown): Promise<StreamPosition>;
  /** Releases this handle: its tails stop; every later call rejects with `BusError` code `closed`. */
  close(): Promise<void>;
}
