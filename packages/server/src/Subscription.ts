import { PriorityLanes, type LaneOverflow } from '@twohop/conflation';
import type { StreamMetrics } from '@twohop/metrics';
import { streamKind } from '@twohop/metrics';
import type { DeltaMessage, ServerMessage, SnapshotMessage } from '@twohop/protocol';
import type { Clock, StreamPosition } from '@twohop/sequence';
import type { DeltaSplitter } from '@twohop/snapshot-delta';
import type { CatalogEntry } from './StreamCatalog.js';

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

/** Options for {@link Subscription}. */
export interface SubscriptionOptions {
  clock: Clock;
  /**
   * Whether a {@link Fanout} offers this subscription each delta (to write it to every subscriber that keeps up
   * at once) instead of the subscription listening to the source itself. @default false
   */
  driven?: boolean;
  priorityCapacity: number;
  metrics?: StreamMetrics | undefined;
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
  readonly #metrics: StreamMetrics | undefined;
  readonly #kind: string;
  readonly #splitter: DeltaSplitter<unknown> | undefined;
  readonly #clock: Clock;
  readonly #priorityCapacity: number;
  /** Made when something first has to queue: a subscriber that keeps up never needs them. */
  #lanesOrUndefined: PriorityLanes<string, unknown, DeltaMessage<unknown>> | undefined;
  readonly #unsubscribe: () => void;
  /** Frames to send before anything from the lanes: a snapshot, or a replay. */
  #pending: ServerMessage[] = [];
  /** The epoch the subscriber follows. */
  #epoch: string;
  /** The seq the subscriber will be at once everything written, pending or queued is delivered. */
  #through: number;
  /** The newest delta's seq and checksum, reused by a conflated delta that ends at the same seq. */
  #latestSeq = -1;
  #latestChecksum: DeltaMessage<unknown>['checksum'];
  #latestTs: number | undefined;
  #merged = 0;
  /** When the lanes started holding what they hold now, for the queue-delay metric. */
  #queuedSince: number | undefined;

  constructor(stream: string, entry: CatalogEntry, host: SubscriptionHost, options: SubscriptionOptions) {
    this.stream = stream;
    this.#entry = entry;
    this.#host = host;
    this.#metrics = options.metrics;
    this.#kind = streamKind(stream);
    this.#splitter = entry.source.model.splitter as DeltaSplitter<unknown> | undefined;
    const position = entry.source.position;
    this.#epoch = position.epoch;
    this.#through = position.seq;
    this.#clock = options.clock;
    this.#priorityCapacity = options.priorityCapacity;
    this.#unsubscribe = options.driven
      ? () => {}
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
    if (plan.recovered) {
      this.#metrics?.resumes.inc({ stream: this.#kind, result: 'replay' });
      if (plan.deltas.length > 0) this.#pending.push(this.#asFrame(plan.deltas as DeltaMessage<unknown>[]));
    } else {
      if (resume !== undefined) this.#metrics?.resumes.inc({ stream: this.#kind, result: 'snapshot' });
      this.#pending.push(plan.snapshot as SnapshotMessage<unknown>);
    }
    this.#restartAt(this.#entry.source.position);
    this.#host.schedule();
    return plan.recovered;
  }

  /** Answers a `resync`: drops what is queued and sends a fresh snapshot. */
  resync(): void {
    this.#metrics?.resyncs.inc({ stream: this.#kind });
    this.#sendSnapshot();
  }

  /** Whether a frame waits to be taken. */
  get hasPending(): boolean {
    return this.#pending.length > 0 || this.queuedChanges > 0;
  }

  /** Changes waiting in the lanes (for the queued-bytes estimate and tests). */
  get queuedChanges(): number {
    const lanes = this.#lanesOrUndefined;
    return lanes === undefined ? 0 : lanes.conflatedQueue.size + lanes.unconflatedQueued;
  }

  get #lanes(): PriorityLanes<string, unknown, DeltaMessage<unknown>> {
    this.#lanesOrUndefined ??= new PriorityLanes({
      clock: this.#clock,
      priorityCapacity: this.#priorityCapacity,
      overflow: this.#entry.delivery === 'reliable' ? 'resync' : 'disconnect',
      conflated: { intervalMs: this.#entry.intervalMs, order: this.#splitter?.order ?? 'first-queued' },
      onReady: () => this.#host.schedule(),
      onOverflow: (overflow) => this.#overflowed(overflow),
    });
    return this.#lanesOrUndefined;
  }

  /** The next frame to write, if one is ready. */
  take(): ServerMessage | undefined {
    const pending = this.#pending.shift();
    if (pending !== undefined) return pending;
    const frame = this.#lanesOrUndefined?.take();
    if (frame === undefined) return undefined;
    if (this.#queuedSince !== undefined) {
      this.#metrics?.queueDelay.observe(
        { stream: this.#kind },
        (this.#clock.now() - this.#queuedSince) / 1000,
      );
      this.#queuedSince = this.queuedChanges > 0 ? this.#clock.now() : undefined;
    }
    if (frame.lane === 'conflated') {
      const { from, seq, changes } = frame.batch;
      this.#collectMerges();
      const splitter = this.#splitter as DeltaSplitter<unknown>;
      const checksum = this.#latestSeq === seq ? this.#latestChecksum : undefined;
      const ts = this.#latestSeq === seq ? this.#latestTs : undefined;
      return {
        type: 'delta',
        stream: this.stream,
        epoch: this.#epoch,
        seq,
        ...(from < seq ? { from } : {}),
        data: splitter.join(changes.map((change) => change.value)),
        ...(checksum === undefined ? {} : { checksum }),
        ...(ts === undefined ? {} : { ts }),
      };
    }
    return this.#asFrame(frame.items as DeltaMessage<unknown>[]);
  }

  /** Stops following the stream and drops what is queued. */
  close(): void {
    this.#unsubscribe();
    this.#lanesOrUndefined?.dispose();
    this.#pending = [];
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
   */
  offer(delta: DeltaMessage<unknown>): boolean {
    // Two fields, not an object: this runs once per delta for every subscriber.
    this.#latestSeq = delta.seq;
    this.#latestChecksum = delta.checksum;
    this.#latestTs = delta.ts;
    if (delta.epoch !== this.#epoch) {
      // The source started a new history (rule 4): the queued changes mean nothing in it. A snapshot of the
      // new epoch (which already includes this delta) puts the subscriber straight into it.
      this.#sendSnapshot();
      return false;
    }
    if (this.#entry.intervalMs === 0 && !this.hasPending && this.#host.canWriteNow()) {
      this.#through = delta.seq;
      return true;
    }
    this.#enqueue(delta);
    return false;
  }

  #enqueue(delta: DeltaMessage<unknown>): void {
    if (this.#lanesOrUndefined?.overflowed === true) return; // a resync or disconnect is already under way
    this.#queuedSince ??= this.#clock.now();
    // The first change to queue after direct writes: the next conflated range starts right after what was sent.
    if (!this.hasPending) this.#lanes.reset(this.#through);
    if (this.#entry.delivery === 'reliable' || this.#splitter === undefined) {
      this.#lanes.pushPriority(delta);
    } else {
      const splitter = this.#splitter;
      for (const change of splitter.split(delta.data)) {
        this.#lanes.pushConflated(splitter.keyOf(change), change, delta.seq);
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
    this.#queuedSince = undefined;
    this.#lanesOrUndefined?.reset(position.seq);
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
    const merged = this.#lanesOrUndefined?.conflatedQueue.stats.merged ?? 0;
    if (merged > this.#merged)
      this.#metrics?.conflatedMerges.inc({ stream: this.#kind }, merged - this.#merged);
    this.#merged = merged;
  }

  #asFrame(deltas: DeltaMessage<unknown>[]): ServerMessage {
    return deltas.length === 1
      ? (deltas[0] as DeltaMessage<unknown>)
      : { type: 'batch', stream: this.stream, items: deltas };
  }
}
