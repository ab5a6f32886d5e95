import type { StreamClient, StreamClientEvents } from '@twohop/client';
import type { ReplicaStats, ReplicaStatus } from '@twohop/snapshot-delta';
import { systemClock, type Clock, type TimerHandle } from '@twohop/sequence';
import { LatencyWindow } from './LatencyWindow.js';

/** What the stream inspector shows (see {@link StreamStats} for how each figure is measured). */
export interface InspectorStats {
  /** Frames received in the last whole second, every stream of the connection together. */
  messagesPerSecond: number;
  /** Their bytes (JSON text or protobuf). */
  bytesPerSecond: number;
  /** Deltas the followed stream's replica applied (a conflated delta counts once). */
  deltasApplied: number;
  /** Deltas of the followed stream that arrived conflated (`from < seq`). */
  conflatedDeltas: number;
  /** How many of the server's deltas those carried merged (`seq − from + 1` each). */
  mergedDeltas: number;
  gaps: number;
  resyncs: number;
  checksum: 'waiting' | 'ok' | 'mismatch → resynced';
  /** Server-to-screen latency of the followed stream's deltas (from their `ts`); undefined before any. */
  latency: { p50: number; p99: number } | undefined;
  /** The reason and local time of the last resync; empty before any. */
  lastResync: string;
  /** How the last (re)subscribe of the followed stream was answered. */
  lastSubscribe: 'replay' | 'snapshot' | '—';
  reconnects: number;
  /** Whether the server is holding this connection's frames (a requested stall), as far as the client knows. */
  stalled: boolean;
  /** What the first delta after the last stall carried, e.g. "1,204 deltas in one frame after 5.0 s"; empty before. */
  lastCatchUp: string;
}

/** What the inspector reads of the followed stream (any `ClientStream`, whatever its state types). */
export interface FollowedStream {
  readonly stream: string;
  readonly replica: { readonly status: ReplicaStatus; readonly stats: ReplicaStats };
}

/** Options for {@link StreamStats}. */
export interface StreamStatsOptions {
  /** Timers and the rate window. @default systemClock */
  clock?: Clock;
  /** Wall-clock time, to compare with the servers' `ts`. @default Date.now */
  wallClock?: () => number;
  /** After a stall of `ms`, give up waiting for a frame this much later. @default 3000 */
  stallGraceMs?: number;
}

/**
 * The stream inspector's figures for one {@link StreamClient} and the stream it follows most closely (the book
 * of an order book, say), measured from the client's events: frames and bytes per second, the replica's applied
 * deltas, conflated deltas and what they merged, gaps, resyncs, checksum status, latency from the deltas'
 * server timestamps, reconnects, and a requested stall: from the server's ack to the first frame after it, then
 * the catch-up the followed stream received. Framework-free; {@link useStreamStats} shows it in Vue.
 */
export class StreamStats {
  readonly #stats: InspectorStats = emptyStats();
  readonly #latency = new LatencyWindow();
  readonly #clock: Clock;
  readonly #wallClock: () => number;
  readonly #graceMs: number;
  readonly #off: Array<() => void> = [];
  #window = { frames: 0, bytes: 0 };
  #rateTimer: TimerHandle | undefined;
  #stallTimer: TimerHandle | undefined;
  #stallStarted = 0;
  #awaitingCatchUp: { afterMs: number } | undefined;
  /** Called when a figure changes that no stream event announces (the rates, the stall). */
  onChange: () => void = () => {};

  constructor(
    readonly client: StreamClient,
    readonly stream: FollowedStream,
    options: StreamStatsOptions = {},
  ) {
    this.#clock = options.clock ?? systemClock;
    this.#wallClock = options.wallClock ?? Date.now;
    this.#graceMs = options.stallGraceMs ?? 3000;
    const on = <K extends keyof StreamClientEvents>(
      type: K,
      handler: (event: StreamClientEvents[K]) => void,
    ) => {
      client.events.on(type, handler);
      this.#off.push(() => client.events.off(type, handler));
    };
    on('frame', ({ bytes }) => {
      this.#window.frames++;
      this.#window.bytes += bytes;
      if (this.#stats.stalled) this.#endStall();
    });
    on('delta', ({ stream, from, seq, ts }) => {
      if (stream !== this.stream.stream) return;
      if (ts !== undefined) this.#latency.record(this.#wallClock() - ts);
      if (from < seq) {
        this.#stats.conflatedDeltas++;
        this.#stats.mergedDeltas += seq - from + 1;
      }
      const catchUp = this.#awaitingCatchUp;
      if (catchUp !== undefined) {
        this.#awaitingCatchUp = undefined;
        const count = seq - from + 1;
        this.#stats.lastCatchUp = `${count.toLocaleString('en-US')} delta${count === 1 ? '' : 's'} in one frame after ${(catchUp.afterMs / 1000).toFixed(1)} s`;
      }
    });
    on('subscribed', ({ stream, recovered }) => {
      if (stream === this.stream.stream) this.#stats.lastSubscribe = recovered ? 'replay' : 'snapshot';
    });
    on('retry', () => this.#stats.reconnects++);
    on('state', (state) => {
      if (state !== 'live' && this.#stats.stalled) this.#endStall(false);
    });
    on('resync', ({ stream, reason }) => {
      if (stream !== this.stream.stream) return;
      this.#stats.resyncs++;
      if (reason === 'gap') this.#stats.gaps++;
      if (reason === 'checksum') this.#stats.checksum = 'mismatch → resynced';
      this.#stats.lastResync = `${reason} at ${new Date(this.#wallClock()).toLocaleTimeString('en-GB')}`;
    });
    this.#armRates();
  }

  /** The figures as of now. */
  read(): Readonly<InspectorStats> {
    const replica = this.stream.replica;
    if (this.#stats.checksum === 'waiting' && replica.status === 'live') this.#stats.checksum = 'ok';
    this.#stats.deltasApplied = replica.stats.applied;
    this.#stats.latency = this.#latency.summary();
    return this.#stats;
  }

  /**
   * The server acknowledged a stall of `ms`: it holds this connection's frames from now. The stall shows until the
   * first frame after it arrives (or, if none comes, `ms` plus a grace period).
   */
  stallStarted(ms: number): void {
    this.#stats.stalled = true;
    this.#stallStarted = this.#clock.now();
    this.#clearStallTimer();
    this.#stallTimer = this.#clock.setTimeout(() => this.#endStall(false), ms + this.#graceMs);
    this.onChange();
  }

  /** Stops listening. */
  dispose(): void {
    for (const off of this.#off.splice(0)) off();
    if (this.#rateTimer !== undefined) this.#clock.clearTimeout(this.#rateTimer);
    this.#clearStallTimer();
  }

  #endStall(caughtUp = true): void {
    this.#stats.stalled = false;
    this.#clearStallTimer();
    if (caughtUp) this.#awaitingCatchUp = { afterMs: this.#clock.now() - this.#stallStarted };
    this.onChange();
  }

  #clearStallTimer(): void {
    if (this.#stallTimer !== undefined) this.#clock.clearTimeout(this.#stallTimer);
    this.#stallTimer = undefined;
  }

  /** Rates over whole seconds: one timer, re-armed each second. */
  #armRates(): void {
    this.#rateTimer = this.#clock.setTimeout(() => {
      this.#stats.messagesPerSecond = this.#window.frames;
      this.#stats.bytesPerSecond = this.#window.bytes;
      this.#window = { frames: 0, bytes: 0 };
      this.onChange();
      this.#armRates();
    }, 1000);
  }
}

/** The inspector before anything arrived. */
export function emptyStats(): InspectorStats {
  return {
    messagesPerSecond: 0,
    bytesPerSecond: 0,
    deltasApplied: 0,
    conflatedDeltas: 0,
    mergedDeltas: 0,
    gaps: 0,
    resyncs: 0,
    checksum: 'waiting',
    latency: undefined,
    lastResync: '',
    lastSubscribe: '—',
    reconnects: 0,
    stalled: false,
    lastCatchUp: '',
  };
}
