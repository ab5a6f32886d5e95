import { Sequencer, type SequencerOptions, type StreamPosition } from '@twohop/sequence';
import { HistoryRing } from './HistoryRing.js';
import type { Checksum, DeltaMessage, SnapshotMessage } from './messages.js';
import type { StateModel } from './StateModel.js';

/** Options for {@link StreamPublisher}. */
export interface StreamPublisherOptions<S, D, W> {
  /** The stream's name, e.g. `book:BTC-USD`. */
  stream: string;
  /** How the state works. */
  model: StateModel<S, D, W>;
  /** How many recent deltas to keep for resume by replay. @default 1024 */
  historyCapacity?: number;
  /**
   * Computes the checksum of the state after each delta and in each snapshot, so replicas can detect silent
   * divergence (protocol rule 5). Omit it for streams that carry no checksum.
   */
  checksum?: (state: S) => Checksum;
  /** Where seqs come from: a sequencer of the caller's, or options for a new one. @default a new Sequencer */
  sequencer?: Sequencer | SequencerOptions;
  /** Initial state. @default model.create() */
  initial?: S;
  /** Stamps each delta with `ts` from this clock (ms since the epoch), for latency measurement. @default none */
  timestamps?: () => number;
}

/** How a subscriber that asked to resume from a position gets back in step. */
export type ResumePlan<W, D> =
  | { readonly recovered: true; readonly deltas: DeltaMessage<D>[] }
  | { readonly recovered: false; readonly snapshot: SnapshotMessage<W> };

/** Receives every delta the publisher numbers, in order. */
export type DeltaListener<D> = (delta: DeltaMessage<D>) => void;

/**
 * The source of one stream on the server: it owns the state, applies each change to it, numbers the change with
 * the stream's {@link Sequencer}, keeps recent deltas in a {@link HistoryRing}, and tells its listeners (the
 * transport bindings) about each delta. It knows nothing of transports.
 */
export class StreamPublisher<S, D, W> {
  readonly stream: string;
  readonly #model: StateModel<S, D, W>;
  readonly #checksum: ((state: S) => Checksum) | undefined;
  readonly #sequencer: Sequencer;
  readonly #history: HistoryRing<DeltaMessage<D>>;
  readonly #listeners = new Set<DeltaListener<D>>();
  readonly #timestamps: (() => number) | undefined;
  #state: S;

  constructor(options: StreamPublisherOptions<S, D, W>) {
    this.stream = options.stream;
    this.#model = options.model;
    this.#checksum = options.checksum;
    this.#sequencer =
      options.sequencer instanceof Sequencer ? options.sequencer : new Sequencer(options.sequencer ?? {});
    this.#history = new HistoryRing(options.historyCapacity ?? 1024);
    this.#state = options.initial ?? options.model.create();
    this.#timestamps = options.timestamps;
  }

  /** How the stream's state works. */
  get model(): StateModel<S, D, W> {
    return this.#model;
  }

  /** The live state. Read it, never change it: changes go through {@link StreamPublisher.publish}. */
  get state(): S {
    return this.#state;
  }

  /** The position of the last change. */
  get position(): StreamPosition {
    return this.#sequencer.position;
  }

  /** The history kept for resume. */
  get history(): HistoryRing<DeltaMessage<D>> {
    return this.#history;
  }

  /** Applies one change, numbers it, records it and tells every listener. Returns the delta. */
  publish(data: D): DeltaMessage<D> {
    this.#model.apply(this.#state, data);
    const seq = this.#sequencer.next();
    const delta: DeltaMessage<D> = {
      type: 'delta',
      stream: this.stream,
      epoch: this.#sequencer.epoch,
      seq,
      data,
      ...(this.#checksum === undefined ? {} : { checksum: this.#checksum(this.#state) }),
      ...(this.#timestamps === undefined ? {} : { ts: this.#timestamps() }),
    };
    this.#history.push(seq, delta);
    for (const listener of this.#listeners) listener(delta);
    return delta;
  }

  /** The full state at the current seq. */
  snapshot(): SnapshotMessage<W> {
    const { epoch, seq } = this.#sequencer;
    const data = this.#model.snapshot(this.#state);
    return this.#checksum === undefined
      ? { type: 'snapshot', stream: this.stream, epoch, seq, data }
      : { type: 'snapshot', stream: this.stream, epoch, seq, data, checksum: this.#checksum(this.#state) };
  }

  /**
   * How a subscriber at `position` gets back in step (protocol rule 6): a replay of the missed deltas when the
   * history still holds `position.seq + 1` in the same epoch, else a snapshot.
   */
  resume(position: StreamPosition | undefined): ResumePlan<W, D> {
    if (position !== undefined && position.epoch === this.#sequencer.epoch) {
      const deltas = this.#history.since(position.seq);
      if (deltas !== undefined) return { recovered: true, deltas };
    }
    return { recovered: false, snapshot: this.snapshot() };
  }

  /** Calls `listener` with every future delta; returns a function that stops it. */
  subscribe(listener: DeltaListener<D>): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Starts a new history (protocol rule 4): a new epoch, an empty history ring, and optionally a new state.
   * Replicas of the old epoch resync when they see the next delta or resume.
   */
  newEpoch(state?: S): string {
    if (state !== undefined) this.#state = state;
    this.#history.clear();
    return this.#sequencer.newEpoch();
  }
}
