import { systemClock, type Clock, type StreamPosition, type TimerHandle } from '@twohop/sequence';
import type { Checksum, SnapshotMessage } from './messages.js';
import { PositionWaiters } from './PositionWaiters.js';
import { ServedStream } from './ServedStream.js';
import type { StateModel } from './StateModel.js';
import type { ResumePlan, SourceListener, StreamSource } from './StreamSource.js';
import type { UpstreamCatchUp, UpstreamDelta } from './upstream.js';

export type { UpstreamCatchUp, UpstreamDelta, UpstreamSnapshot } from './upstream.js';

/** Options for {@link StreamMirror}. */
export interface StreamMirrorOptions<S, D, W> {
  /** The stream's name, e.g. `book:BTC-USD`. */
  stream: string;
  /** How the state works. */
  model: StateModel<S, D, W>;
  /**
   * Asks the upstream for what follows `position` (the mirror's own; undefined on the first bootstrap): a replay
   * when it still holds the next seq of that epoch, else a snapshot. Called on start, on every gap and epoch
   * change, and on {@link StreamMirror.resync}; one call at a time.
   */
  catchUp: (position: StreamPosition | undefined) => Promise<UpstreamCatchUp<W, D>>;
  /** How many recent deltas to keep for hop-1 resume. @default 1024 */
  historyCapacity?: number;
  /** The checksum stamped on this mirror's deltas and snapshots (protocol rule 5). @default none */
  checksum?: (state: S) => Checksum;
  /** Upstream deltas held while catching up; past it the oldest go (a later catch-up fills the hole). @default 1024 */
  maxBuffered?: number;
  /** Waits between failed catch-ups. @default systemClock */
  clock?: Clock;
  /** How long to wait after a failed catch-up before the next. @default 1000 */
  retryMs?: number;
  /** Hears every failed catch-up (the mirror retries on its own). @default none */
  onError?: (error: unknown) => void;
}

/**
 * - `starting`: never caught up yet; it serves an empty state at epoch `''`;
 * - `live`: in step with the upstream;
 * - `catching-up`: behind a gap, an epoch change or a resync; it serves its last consistent state meanwhile;
 * - `closed`.
 */
export type MirrorStatus = 'starting' | 'live' | 'catching-up' | 'closed';

/** What a mirror counted. */
export interface MirrorStats {
  applied: number;
  duplicates: number;
  gaps: number;
  epochChanges: number;
  /** Catch-ups answered by a replay: subscribers noticed nothing. */
  replays: number;
  /** Catch-ups answered by a snapshot: subscribers were reset. */
  snapshots: number;
  /** Upstream deltas dropped from a full buffer while catching up. */
  overflows: number;
  /** Held deltas that a catch-up's answer showed to be out of date (an old epoch's). */
  stale: number;
  failures: number;
}

/**
 * A {@link StreamSource} for changes numbered upstream: it applies each upstream delta in seq order to its own
 * state, keeps its own history ring for hop-1 resume, and serves the upstream's positions unchanged — so a client
 * may resume on any node that mirrors the same upstream.
 *
 * It never serves across a gap. A delta beyond the next seq, or of another epoch, stops it applying: it keeps
 * serving its last consistent state, buffers what arrives (bounded), and asks the upstream to catch it up. A
 * replay continues the history and subscribers notice nothing; a snapshot breaks it, and every subscriber gets a
 * {@link SourceReset} (then a fresh snapshot from its subscription). Buffering rather than resetting subscribers
 * up front keeps a brief hiccup upstream from costing every client a snapshot.
 */
export class StreamMirror<S, D, W> implements StreamSource<S, D, W> {
  readonly stream: string;
  readonly stats: MirrorStats = {
    applied: 0,
    duplicates: 0,
    gaps: 0,
    epochChanges: 0,
    replays: 0,
    snapshots: 0,
    overflows: 0,
    stale: 0,
    failures: 0,
  };
  readonly #options: StreamMirrorOptions<S, D, W>;
  readonly #served: ServedStream<S, D, W>;
  readonly #clock: Clock;
  #status: MirrorStatus = 'starting';
  #buffer: UpstreamDelta<D>[] = [];
  #inFlight = false;
  /** How many held deltas arrived before the catch-up in flight was asked: its answer is at least as new. */
  #heldBeforeAsking = 0;
  /** The next catch-up asks for a snapshot, not a replay. */
  #snapshotNext = false;
  #retry: TimerHandle | undefined;
  #waiters: (() => void)[] = [];
  /** Subscribes waiting for this mirror to reach a position a client saw elsewhere ({@link StreamMirror.reach}). */
  readonly #reachers: PositionWaiters;

  constructor(options: StreamMirrorOptions<S, D, W>) {
    this.stream = options.stream;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#reachers = new PositionWaiters(this.#clock, (position) => this.#hasReached(position));
    this.#served = new ServedStream({
      stream: options.stream,
      model: options.model,
      historyCapacity: options.historyCapacity ?? 1024,
      checksum: options.checksum,
      position: { epoch: '', seq: 0 },
      state: options.model.create(),
    });
  }

  /** Catches up for the first time; resolves once live (failed attempts are retried every `retryMs`). */
  start(): Promise<void> {
    const live = this.#whenLive();
    this.#catchUp();
    return live;
  }

  get status(): MirrorStatus {
    return this.#status;
  }

  get model(): StateModel<S, D, W> {
    return this.#served.model;
  }

  /** The state served now. Read it, never change it. */
  get state(): S {
    return this.#served.state;
  }

  get position(): StreamPosition {
    return this.#served.position;
  }

  /**
   * Takes the upstream's next delta. The next seq is applied; an older one (same epoch) is a duplicate and
   * dropped; anything else is a gap or an epoch change, and starts a catch-up. While catching up, deltas wait.
   */
  receive(delta: UpstreamDelta<D>): void {
    if (this.#status === 'closed') return;
    if (this.#status !== 'live') this.#hold(delta);
    else this.#accept(delta);
  }

  /** Catches up now, whatever the deltas say (the upstream announced a reset, say). */
  resync(): void {
    if (this.#status !== 'closed') this.#catchUp();
  }

  snapshot(): SnapshotMessage<W> {
    return this.#served.snapshot();
  }

  resume(position: StreamPosition | undefined): ResumePlan<W, D> {
    return this.#served.resume(position);
  }

  subscribe(listener: SourceListener<D>): () => void {
    return this.#served.subscribe(listener);
  }

  /**
   * Resolves once this mirror serves `position` — or can tell it never will here (it is live in another epoch, or
   * closed) — or after `timeoutMs`; undefined when it already does. Mirrors of one upstream on several nodes follow
   * it a moment apart, so a client that moves from a faster node to a slower one resumes from a seq the slower has
   * not applied yet: waiting briefly turns that into a replay instead of a snapshot older than the client's state.
   */
  reach(position: StreamPosition, timeoutMs: number): Promise<void> | undefined {
    return this.#reachers.wait(position, timeoutMs);
  }

  /** Stops: no more catch-ups or retries; upstream deltas are ignored. Subscribers keep the last state. */
  close(): void {
    this.#status = 'closed';
    this.#buffer = [];
    if (this.#retry !== undefined) this.#clock.clearTimeout(this.#retry);
    this.#reachers.check();
  }

  /**
   * Applies `delta` if it is the next one; returns false when it started a catch-up instead. A `stale` delta (one
   * the upstream had already answered for) that still does not apply is dropped rather than asked about again.
   */
  #accept(delta: UpstreamDelta<D>, stale = false): boolean {
    const { epoch, seq } = this.#served.position;
    if (delta.epoch === epoch && delta.seq === seq + 1) return this.#apply(delta);
    if (delta.epoch === epoch && delta.seq <= seq) {
      this.stats.duplicates++;
      return true;
    }
    if (stale) {
      this.stats.stale++;
      return true;
    }
    if (delta.epoch === epoch) this.stats.gaps++;
    else this.stats.epochChanges++;
    this.#hold(delta);
    this.#catchUp();
    return false;
  }

  #apply(delta: UpstreamDelta<D>): boolean {
    try {
      this.model.apply(this.state, delta.data); // validates before it changes anything
    } catch (error) {
      // A change this mirror cannot apply: only a snapshot taken after it can move the mirror past it.
      this.stats.failures++;
      this.#options.onError?.(error);
      this.#snapshotNext = true;
      this.#catchUp();
      return false;
    }
    this.#served.record(delta.seq, delta.data, delta.ts);
    this.stats.applied++;
    if (this.#reachers.size > 0) this.#reachers.check();
    return true;
  }

  #hold(delta: UpstreamDelta<D>): void {
    this.#buffer.push(delta);
    if (this.#buffer.length > (this.#options.maxBuffered ?? 1024)) {
      this.#buffer.shift();
      if (this.#heldBeforeAsking > 0) this.#heldBeforeAsking--;
      this.stats.overflows++;
    }
  }

  #catchUp(): void {
    if (this.#inFlight) return;
    this.#inFlight = true;
    if (this.#status === 'live') this.#status = 'catching-up';
    const position = this.#status === 'starting' || this.#snapshotNext ? undefined : this.position;
    this.#snapshotNext = false;
    this.#heldBeforeAsking = this.#buffer.length;
    this.#options.catchUp(position).then(
      (plan) => this.#caughtUp(plan),
      (error: unknown) => {
        this.#inFlight = false;
        if (this.#status === 'closed') return;
        this.stats.failures++;
        this.#options.onError?.(error);
        this.#retry = this.#clock.setTimeout(() => {
          this.#retry = undefined;
          if (this.#status !== 'closed') this.#catchUp();
        }, this.#options.retryMs ?? 1000);
      },
    );
  }

  #caughtUp(plan: UpstreamCatchUp<W, D>): void {
    this.#inFlight = false;
    if (this.#status === 'closed') return;
    if (plan.recovered) {
      this.stats.replays++;
    } else {
      // The history breaks here: subscribers drop what they queued and take a snapshot (a reset).
      this.stats.snapshots++;
      const { epoch, seq, data } = plan.snapshot;
      this.#served.reset({ epoch, seq }, this.model.restore(data));
    }
    this.#status = 'live';
    // The catch-up's deltas first, then what was held. Those the upstream answered for (its own, and what arrived
    // before asking) are stale if they still do not apply — an old epoch's, say; a hole in what arrived since
    // starts the next catch-up.
    const pending = [...(plan.deltas ?? []), ...this.#buffer];
    const answered = (plan.deltas?.length ?? 0) + this.#heldBeforeAsking;
    this.#buffer = [];
    for (let i = 0; i < pending.length; i++) {
      if (!this.#accept(pending[i] as UpstreamDelta<D>, i < answered)) {
        for (const delta of pending.slice(i + 1)) this.#hold(delta);
        return;
      }
    }
    for (const waiter of this.#waiters.splice(0)) waiter();
    this.#reachers.check();
  }

  #hasReached(position: StreamPosition): boolean {
    if (this.#status === 'closed') return true;
    if (this.#status !== 'live') return false;
    const served = this.#served.position;
    return position.epoch !== served.epoch || served.seq >= position.seq;
  }

  #whenLive(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
