import { Sequencer, type SequencerOptions, type StreamPosition } from '@twohop/sequence';
import type { HistoryRing } from './HistoryRing.js';
import type { Checksum, DeltaMessage, SnapshotMessage } from './messages.js';
import { ServedStream } from './ServedStream.js';
import type { StateModel } from './StateModel.js';
import type { ResumePlan, SourceListener, StreamSource } from './StreamSource.js';

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

/**
 * A {@link StreamSource} that numbers its own changes: it owns the state, applies each change to it, numbers the
 * change with the stream's {@link Sequencer}, keeps recent deltas in a {@link HistoryRing}, and tells its
 * listeners (the transport bindings) about each delta. The one-process case; a node that serves changes numbered
 * elsewhere uses a {@link StreamMirror}. It knows nothing of transports.
 */
export class StreamPublisher<S, D, W> implements StreamSource<S, D, W> {
  readonly stream: string;
  readonly #sequencer: Sequencer;
  readonly #served: ServedStream<S, D, W>;
  readonly #timestamps: (() => number) | undefined;

  constructor(options: StreamPublisherOptions<S, D, W>) {
    this.stream = options.stream;
    this.#sequencer =
      options.sequencer instanceof Sequencer ? options.sequencer : new Sequencer(options.sequencer ?? {});
    this.#served = new ServedStream({
      stream: options.stream,
      model: options.model,
      historyCapacity: options.historyCapacity ?? 1024,
      checksum: options.checksum,
      position: this.#sequencer.position,
      state: options.initial ?? options.model.create(),
    });
    this.#timestamps = options.timestamps;
  }

  /** How the stream's state works. */
  get model(): StateModel<S, D, W> {
    return this.#served.model;
  }

  /** The live state. Read it, never change it: changes go through {@link StreamPublisher.publish}. */
  get state(): S {
    return this.#served.state;
  }

  /** The position of the last change. */
  get position(): StreamPosition {
    return this.#sequencer.position;
  }

  /** The history kept for resume. */
  get history(): HistoryRing<DeltaMessage<D>> {
    return this.#served.history;
  }

  /** Applies one change, numbers it, records it and tells every listener. Returns the delta. */
  publish(data: D): DeltaMessage<D> {
    // Apply before numbering: a malformed change throws here and uses up no seq.
    this.model.apply(this.state, data);
    return this.#served.record(this.#sequencer.next(), data, this.#timestamps?.());
  }

  /** The full state at the current seq. */
  snapshot(): SnapshotMessage<W> {
    return this.#served.snapshot();
  }

  /**
   * How a subscriber at `position` gets back in step (protocol rule 6): a replay of the missed deltas when the
   * history still holds `position.seq + 1` in the same epoch, else a snapshot.
   */
  resume(position: StreamPosition | undefined): ResumePlan<W, D> {
    return this.#served.resume(position);
  }

  /** Calls `listener` with every future delta, and a reset on {@link StreamPublisher.newEpoch}. */
  subscribe(listener: SourceListener<D>): () => void {
    return this.#served.subscribe(listener);
  }

  /**
   * Starts a new history (protocol rule 4): a new epoch, an empty history ring, and optionally a new state.
   * Listeners get a reset at once; replicas of the old epoch resync when they see the next delta or resume.
   */
  newEpoch(state?: S): string {
    const epoch = this.#sequencer.newEpoch();
    this.#served.reset({ epoch, seq: 0 }, state ?? this.state);
    return epoch;
  }
}
