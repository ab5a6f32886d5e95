import type { LaneOverflow } from '@twohop/conflation';
import { streamKind } from '@twohop/metrics';
import type { DeltaMessage, ServerMessage, SnapshotMessage } from '@twohop/protocol';
import type { StreamPosition } from '@twohop/sequence';
import type { DeltaSplitter } from '@twohop/snapshot-delta';
import { conflatedDelta } from './conflatedDelta.js';
import type { SharedWindow } from './SharedWindow.js';
import { SubscriptionQueue } from './SubscriptionQueue.js';
import type { CatalogEntry } from './StreamCatalog.js';
import type { SubscriptionOptions } from './subscriptionOptions.js';

export type { SubscriptionOptions } from './subscriptionOptions.js';

/** What a subscription needs from its connection's outbox. */
export interface SubscriptionHost {
  /** Whether a frame can be written now (transport writable, its buffer empty, nothing else waiting). */
  canWriteNow(): boolean;
  /** Writes a frame now. */
  writeNow(subscription: Subscription, message: ServerMessage): void;
  /** Something became ready to take. */
  schedule(): void;
  /** The unconflated lane overflowed with the `disconnect` policy. */
  overflowed(subscription: Subscription, overflow: LaneOverflow): void;
}

/**
 * One client's subscription to one stream, and its backpressure-aware sender. While the transport keeps up, each
 * delta is written as it comes. When it cannot take a frame, changes queue in the subscription's lanes — merged by
 * key for `conflate` streams (memory bounded by keys), kept whole and bounded for `reliable` ones — and go out as
 * one conflated delta `from..seq` (or a batch) when the transport drains. The client's replica applies that as
 * protocol rule 3 allows, so nothing is lost and nothing grows without bound.
 */
export class Subscription {
  readonly stream: string;
  readonly #entry: CatalogEntry;
  readonly #host: SubscriptionHost;
  readonly #options: SubscriptionOptions;
  /** Made when something first has to queue: a subscriber that keeps up never needs it. */
  #queueOrUndefined: SubscriptionQueue | undefined;
  readonly #unsubscribe: () => void;
  /** Frames to send before anything from the lanes: a snapshot, or a replay. Replaced, never grown in place. */
  #pending: readonly ServerMessage[] = NOTHING;
  /** The epoch the subscriber follows. */
  #epoch: string;
  /** The seq the subscriber will be at once everything written, pending or queued is delivered. */
  #through: number;
  #window: SharedWindow | undefined;

  constructor(stream: string, entry: CatalogEntry, host: SubscriptionHost, options: SubscriptionOptions) {
    this.stream = stream;
    this.#entry = entry;
    this.#host = host;
    this.#options = options;
    const position = entry.source.position;
    this.#epoch = position.epoch;
    this.#through = position.seq;
    this.#unsubscribe = options.driven
      ? noop
      : entry.source.subscribe((event) => {
          if (event.type === 'reset') this.restart();
          else if (this.offer(event as DeltaMessage<unknown>))
            host.writeNow(this, event as DeltaMessage<unknown>);
        });
  }

  /**
   * Starts the stream for this subscriber (protocol rule 6): a replay of the deltas after `resume` when the
   * history still holds them, else a snapshot. Returns whether it recovered by replay.
   */
  start(resume: StreamPosition | undefined): boolean {
    const plan = this.#entry.source.resume(resume);
    const metrics = this.#options.metrics;
    if (plan.recovered) {
      metrics?.resumes.inc({ stream: streamKind(this.stream), result: 'replay' });
      if (plan.deltas.length > 0)
        this.#pending = [...this.#pending, this.#asFrame(plan.deltas as DeltaMessage<unknown>[])];
    } else {
      if (resume !== undefined) metrics?.resumes.inc({ stream: streamKind(this.stream), result: 'snapshot' });
      this.#pending = [...this.#pending, plan.snapshot as SnapshotMessage<unknown>];
    }
    this.#restartAt(this.#entry.source.position);
    this.#host.schedule();
    return plan.recovered;
  }

  /** Answers a `resync`: drops what is queued and sends a fresh snapshot. */
  resync(): void {
    this.#options.metrics?.resyncs.inc({ stream: streamKind(this.stream) });
    this.#sendSnapshot();
  }

  /** Whether a frame waits to be taken. */
  get hasPending(): boolean {
    return this.#pending.length > 0 || this.#ownQueued > 0;
  }

  /**
   * Changes waiting to go to this subscriber (for the queued-bytes estimate, inspection and tests): in its own
   * lanes, or in the shared window it is in step with.
   */
  get queuedChanges(): number {
    const window = this.#window;
    const shared =
      window !== undefined && this.isAt(window.opened.epoch, window.opened.seq) ? window.size : 0;
    return this.#ownQueued + shared;
  }

  get #ownQueued(): number {
    return this.#queueOrUndefined?.size ?? 0;
  }

  /** The shared window the driving {@link Fanout} closes for this stream, if any (see {@link windowMs}). */
  shareWindow(window: SharedWindow): void {
    this.#window = window;
  }

  /**
   * The window a {@link Fanout} may close for this subscription together with the stream's other subscribers: the
   * stream's interval when it is throttled, conflated by key and `aligned`, else 0 (each delta is offered on its own).
   */
  get windowMs(): number {
    const entry = this.#entry;
    return this.#options.aligned === true && entry.delivery === 'conflate' && this.#splitter !== undefined
      ? entry.intervalMs
      : 0;
  }

  /**
   * Whether the subscriber is exactly at `epoch`/`seq` with nothing of its own pending or queued: a shared window
   * opened there covers it, so it needs none of the window's deltas one by one.
   */
  isAt(epoch: string, seq: number): boolean {
    return this.#through === seq && this.#epoch === epoch && !this.hasPending;
  }

  get #splitter(): DeltaSplitter<unknown> | undefined {
    return this.#entry.source.model.splitter as DeltaSplitter<unknown> | undefined;
  }

  get #queue(): SubscriptionQueue {
    return (this.#queueOrUndefined ??= new SubscriptionQueue(this.#entry, this.#options, {
      onReady: () => this.#host.schedule(),
      onOverflow: (overflow) => this.#overflowed(overflow),
    }));
  }

  /** The next frame to write, if one is ready. */
  take(): ServerMessage | undefined {
    const pending = this.#pending;
    if (pending.length > 0) {
      this.#pending = pending.length === 1 ? NOTHING : pending.slice(1);
      return pending[0];
    }
    const queue = this.#queueOrUndefined;
    const frame = queue?.lanes.take();
    if (queue === undefined || frame === undefined) return undefined;
    queue.taken(this.#options, this.stream);
    if (frame.lane === 'conflated') {
      this.#collectMerges();
      return conflatedDelta(
        this.stream,
        this.#epoch,
        frame.batch,
        this.#splitter as DeltaSplitter<unknown>,
        queue.latest,
      );
    }
    return this.#asFrame(frame.items as DeltaMessage<unknown>[]);
  }

  /** Stops following the stream and drops what is queued. */
  close(): void {
    this.#unsubscribe();
    this.#queueOrUndefined?.lanes.dispose();
    this.#pending = NOTHING;
  }

  /** The stream's source. */
  get source(): CatalogEntry['source'] {
    return this.#entry.source;
  }

  /**
   * The source broke its history (a new epoch, a mirror re-bootstrapped past an upstream gap): what is queued no
   * longer joins up with what comes next, so the subscriber starts again from a fresh snapshot. Never a delta
   * across the break.
   */
  restart(): void {
    this.#sendSnapshot();
  }

  /**
   * Offers the source's next delta. Returns true when the caller must write it to this subscriber now, as is
   * (the fast path: nothing queued, no maximum frequency to respect, the transport can take it); otherwise the
   * subscription has queued it (or, on a new epoch, a snapshot) and sends it when the transport drains.
   *
   * `windowClosed`: the delta is a shared window's conflated frame (see {@link Fanout}), offered to a subscriber
   * that {@link isAt} the window's start. It is this window's frame, so the stream's interval is already respected:
   * it is written now when the transport can take it, else queued and sent as soon as the transport drains.
   */
  offer(delta: DeltaMessage<unknown>, windowClosed = false): boolean {
    if (delta.epoch !== this.#epoch) {
      // The source started a new history (rule 4): the queued changes mean nothing in it. A snapshot of the
      // new epoch (which already includes this delta) puts the subscriber straight into it.
      this.#sendSnapshot();
      return false;
    }
    if ((windowClosed || this.#entry.intervalMs === 0) && !this.hasPending && this.#host.canWriteNow()) {
      this.#through = delta.seq;
      return true;
    }
    this.#enqueue(delta);
    if (windowClosed) this.#queue.lanes.releaseConflated();
    return false;
  }

  #enqueue(delta: DeltaMessage<unknown>): void {
    const queue = this.#queue;
    const lanes = queue.lanes;
    if (lanes.overflowed) return; // a resync or disconnect is already under way
    // The newest delta's checksum and time, for a conflated delta that ends at its seq.
    queue.latest = delta;
    queue.queuedSince ??= this.#options.clock.now();
    // The first change to queue after direct writes: the next conflated range starts right after what was sent.
    if (!this.hasPending) lanes.reset(this.#through);
    const splitter = this.#splitter;
    if (this.#entry.delivery === 'reliable' || splitter === undefined) {
      lanes.pushPriority(delta);
    } else {
      for (const change of splitter.split(delta.data)) {
        lanes.pushConflated(splitter.keyOf(change), change, delta.seq);
      }
    }
    this.#through = delta.seq;
  }

  #sendSnapshot(): void {
    const snapshot = this.#entry.source.snapshot() as SnapshotMessage<unknown>;
    this.#pending = [snapshot];
    this.#restartAt(snapshot);
    this.#host.schedule();
  }

  /** Empties the lanes and starts their next conflated range right after `position`. */
  #restartAt(position: StreamPosition): void {
    this.#collectMerges();
    this.#epoch = position.epoch;
    this.#through = position.seq;
    const queue = this.#queueOrUndefined;
    if (queue === undefined) return;
    queue.queuedSince = undefined;
    queue.lanes.reset(position.seq);
  }

  #overflowed(overflow: LaneOverflow): void {
    if (overflow.policy === 'resync') {
      // Something that must not be lost could not be queued: the subscriber gets a fresh snapshot instead.
      queueMicrotask(() => this.resync());
    } else {
      this.#host.overflowed(this, overflow);
    }
  }

  /** Adds the merges since the last call to the metrics. */
  #collectMerges(): void {
    this.#queueOrUndefined?.collectMerges(this.#options.metrics, this.stream);
  }

  #asFrame(deltas: DeltaMessage<unknown>[]): ServerMessage {
    return deltas.length === 1
      ? (deltas[0] as DeltaMessage<unknown>)
      : { type: 'batch', stream: this.stream, items: deltas };
  }
}

/** No frames pending: one empty array shared by every subscription (an idle one holds no array of its own). */
const NOTHING: readonly ServerMessage[] = Object.freeze([]);

/** A driven subscription's unsubscribe: the fan-out that drives it stops offering on its own. */
function noop(): void {}
