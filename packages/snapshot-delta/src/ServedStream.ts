import type { StreamPosition } from '@twohop/sequence';
import { HistoryRing } from './HistoryRing.js';
import type { Checksum, DeltaMessage, SnapshotMessage } from './messages.js';
import type { StateModel } from './StateModel.js';
import type { ResumePlan, SourceListener } from './StreamSource.js';

/** Options for {@link ServedStream}. */
export interface ServedStreamOptions<S, D, W> {
  stream: string;
  model: StateModel<S, D, W>;
  historyCapacity: number;
  checksum: ((state: S) => Checksum) | undefined;
  position: StreamPosition;
  state: S;
}

/**
 * The part every {@link StreamSource} shares: the state as served, its position, the history ring for resume and
 * the listeners. Whoever numbers the changes (a sequencer of its own, or an upstream) calls `record` with each one
 * in order (after applying it to `state`), and `reset` when the history breaks. Internal to the package.
 */
export class ServedStream<S, D, W> {
  readonly stream: string;
  readonly model: StateModel<S, D, W>;
  readonly history: HistoryRing<DeltaMessage<D>>;
  readonly #checksum: ((state: S) => Checksum) | undefined;
  readonly #listeners = new Set<SourceListener<D>>();
  #epoch: string;
  #seq: number;
  #state: S;

  constructor(options: ServedStreamOptions<S, D, W>) {
    this.stream = options.stream;
    this.model = options.model;
    this.history = new HistoryRing(options.historyCapacity);
    this.#checksum = options.checksum;
    this.#epoch = options.position.epoch;
    this.#seq = options.position.seq;
    this.#state = options.state;
  }

  get state(): S {
    return this.#state;
  }

  get position(): StreamPosition {
    return { epoch: this.#epoch, seq: this.#seq };
  }

  /**
   * Records change `seq` (the next one), which the caller has just applied to {@link ServedStream.state}: it goes
   * into the history and to every listener.
   */
  record(seq: number, data: D, ts: number | undefined): DeltaMessage<D> {
    this.#seq = seq;
    const delta: DeltaMessage<D> = {
      type: 'delta',
      stream: this.stream,
      epoch: this.#epoch,
      seq,
      data,
      ...(this.#checksum === undefined ? {} : { checksum: this.#checksum(this.#state) }),
      ...(ts === undefined ? {} : { ts }),
    };
    this.history.push(seq, delta);
    for (const listener of this.#listeners) listener(delta);
    return delta;
  }

  /** Starts over at `position` with `state`: the history is dropped and every listener told (a reset). */
  reset(position: StreamPosition, state: S): void {
    this.#epoch = position.epoch;
    this.#seq = position.seq;
    this.#state = state;
    this.history.clear(position.seq);
    const reset = { type: 'reset', stream: this.stream, ...position } as const;
    for (const listener of this.#listeners) listener(reset);
  }

  snapshot(): SnapshotMessage<W> {
    const data = this.model.snapshot(this.#state);
    const head = { type: 'snapshot', stream: this.stream, epoch: this.#epoch, seq: this.#seq, data } as const;
    return this.#checksum === undefined ? head : { ...head, checksum: this.#checksum(this.#state) };
  }

  resume(position: StreamPosition | undefined): ResumePlan<W, D> {
    if (position !== undefined && position.epoch === this.#epoch) {
      const deltas = this.history.since(position.seq);
      if (deltas !== undefined) return { recovered: true, deltas };
    }
    return { recovered: false, snapshot: this.snapshot() };
  }

  subscribe(listener: SourceListener<D>): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
