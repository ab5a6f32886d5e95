import { ConflatingQueue, nextRunAt } from '@twohop/conflation';
import type { DeltaMessage } from '@twohop/protocol';
import type { Clock, StreamPosition, TimerHandle } from '@twohop/sequence';
import type { DeltaSplitter } from '@twohop/snapshot-delta';
import type { AnySource } from './StreamCatalog.js';
import { conflatedDelta } from './conflatedDelta.js';

/** Options for {@link SharedWindow}. */
export interface SharedWindowOptions {
  source: AnySource;
  /** The stream's interval: windows close at every multiple of it on the clock. */
  intervalMs: number;
  clock: Clock;
  /**
   * A window closed with something in it: `frame` is the conflated delta `opened.seq + 1 .. frame.seq`, one object
   * for every subscriber that was at `opened` with nothing of its own queued.
   */
  onClose: (frame: DeltaMessage<unknown>, opened: StreamPosition) => void;
}

/**
 * One throttled stream's window, shared by its subscribers: the stream's changes merge by key here, once, and when
 * the window closes — at once after a quiet interval, else at the next multiple of the interval on the clock, the
 * instant every aligned subscriber's own window closes too — they become one conflated delta for every subscriber
 * that is in step, so the frame is made and encoded once, however many receive it. A subscriber that fell out of step (its transport was busy, it has just
 * subscribed or resynced) conflates in its own lanes until its own window, closing at the same instant, brings it
 * back to where the next shared window opens. The timer runs only while the window holds something.
 */
export class SharedWindow {
  readonly #stream: string;
  readonly #splitter: DeltaSplitter<unknown>;
  readonly #intervalMs: number;
  readonly #clock: Clock;
  readonly #onClose: SharedWindowOptions['onClose'];
  readonly #queue: ConflatingQueue<string, unknown>;
  /** Where the current window opened: the position of its subscribers in step. */
  #opened: StreamPosition;
  /** The newest delta in the window: its checksum and time go on the frame. */
  #latest: DeltaMessage<unknown> | undefined;
  #timer: TimerHandle | undefined;
  #lastClose = Number.NEGATIVE_INFINITY;

  constructor(options: SharedWindowOptions) {
    const splitter = options.source.model.splitter as DeltaSplitter<unknown> | undefined;
    if (splitter === undefined) throw new Error(`${options.source.stream} cannot be conflated by key`);
    this.#stream = options.source.stream;
    this.#splitter = splitter;
    this.#intervalMs = options.intervalMs;
    this.#clock = options.clock;
    this.#onClose = options.onClose;
    this.#queue = new ConflatingQueue({ order: splitter.order ?? 'first-queued' });
    const { epoch, seq } = options.source.position;
    this.#opened = { epoch, seq };
    this.#queue.reset(seq);
  }

  /** Distinct keys the window holds. */
  get size(): number {
    return this.#queue.size;
  }

  /** The position the current window opened at. */
  get opened(): StreamPosition {
    return this.#opened;
  }

  /** Adds the stream's next delta, of the window's epoch (else call {@link restart}). */
  push(delta: DeltaMessage<unknown>): void {
    for (const change of this.#splitter.split(delta.data)) {
      this.#queue.push(this.#splitter.keyOf(change), change, delta.seq);
    }
    this.#latest = delta;
    if (this.#timer !== undefined) return;
    // The aligned throttle's rule (see `Throttle`): at once after a quiet interval, else at the next window end.
    const now = this.#clock.now();
    const at = nextRunAt(this.#lastClose, now, this.#intervalMs);
    if (at <= now) this.#close();
    else this.#timer = this.#clock.setTimeout(() => this.#close(), at - now);
  }

  /** Drops what the window holds and opens the next one at `position` (a new epoch, a source reset). */
  restart(position: StreamPosition): void {
    this.dispose();
    this.#queue.reset(position.seq);
    this.#opened = { epoch: position.epoch, seq: position.seq };
    this.#latest = undefined;
  }

  /** Cancels the timer; call when the stream has no subscriber left. */
  dispose(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #close(): void {
    this.#timer = undefined;
    this.#lastClose = this.#clock.now();
    const batch = this.#queue.drain();
    if (batch === undefined) return;
    const opened = this.#opened;
    const frame = conflatedDelta(this.#stream, opened.epoch, batch, this.#splitter, this.#latest);
    this.#opened = { epoch: opened.epoch, seq: batch.seq };
    this.#latest = undefined;
    this.#onClose(frame, opened);
  }
}
