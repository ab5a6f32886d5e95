import type { CloseNotice, ServerMessage, SubscribeOptions } from '@twohop/protocol';
import { systemClock, type Clock, type TimerHandle } from '@twohop/sequence';
import { Replica, type Checksum, type ResyncReason, type StateModel } from '@twohop/snapshot-delta';
import mitt, { type Emitter } from 'mitt';
import { Backoff, type BackoffOptions } from './Backoff.js';
import type { ClientTransport, TransportFactory } from './ClientTransport.js';

/** Where the client's connection is. */
export type ConnectionState =
  /** The first connection attempt. */
  | 'connecting'
  /** Connected; streams flow. */
  | 'live'
  /** The connection dropped; a new attempt is scheduled with backoff. */
  | 'reconnecting'
  /** Gave up: too many attempts, or the server said not to come back. */
  | 'failed'
  /** Closed by the app. */
  | 'closed';

/** Events a UI can show. */
export type StreamClientEvents = {
  /** The connection state changed. */
  state: ConnectionState;
  /** A replica asked for a fresh snapshot (a gap, a new epoch, a checksum mismatch …). */
  resync: { stream: string; reason: ResyncReason };
  /** A (re)subscribe was acknowledged: `recovered` when the server replayed the missed deltas. */
  subscribed: { stream: string; recovered: boolean };
  /** A conflated delta arrived: the server merged `from..seq` because this client could not keep up. */
  conflated: { stream: string; from: number; seq: number };
  /**
   * A delta arrived (alone or in a batch), before its replica applies it: `from..seq` (from = seq unless
   * conflated) and `ts`, the server's time of its newest change, where the stream carries one.
   */
  delta: { stream: string; from: number; seq: number; ts?: number };
  /** A reconnect is scheduled in `delayMs`. */
  retry: { attempt: number; delayMs: number };
  /** The server closed the connection on purpose, with its reason. */
  notice: CloseNotice;
  /** Something went wrong that the client recovers from on its own (a refused request, a bad frame). */
  error: { stream?: string; error: unknown };
  /** Any stream's state changed. */
  change: { stream: string };
  /** A frame arrived, of `bytes` bytes (for a UI's bytes/s). */
  frame: { bytes: number };
  /** An app-specific server event arrived (socket.io only): a chat message, a notice. */
  event: { event: string; payload: unknown };
};

/** Options for {@link StreamClient}. */
export interface StreamClientOptions {
  /** Makes each connection (socket.io or EventSource). */
  transport: TransportFactory;
  /** Reconnection delays. */
  backoff?: BackoffOptions;
  /** A connection live this long resets the backoff. @default 10000 */
  healthyAfterMs?: number;
  /**
   * Silence (no frame, no heartbeat) after which the connection is declared dead; 0 turns the check off, for a
   * server that sends no heartbeats and a transport that detects a dead peer itself (engine.io's ping). @default 45000
   */
  heartbeatTimeoutMs?: number;
  /** Reconnect attempts before giving up. @default Infinity */
  maxAttempts?: number;
  /** @default systemClock */
  clock?: Clock;
}

/** Options for one stream. */
export interface StreamOptions<S, D, W> {
  model: StateModel<S, D, W>;
  checksum?: (state: S) => Checksum;
  /** Subscribe options the server understands (a tier, a depth). */
  options?: SubscribeOptions;
}

/** One subscribed stream: its replica, kept in step across reconnects. */
export interface ClientStream<S, D, W> {
  readonly stream: string;
  readonly replica: Replica<S, D, W>;
  /** Unsubscribes and forgets the stream. */
  close(): void;
}

interface Entry {
  readonly stream: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly replica: Replica<any, any, any>;
  readonly options: SubscribeOptions | undefined;
}

/**
 * A reconnecting client for twohop streams, in the browser or Node. It keeps one connection (through a transport
 * factory: socket.io or EventSource), one {@link Replica} per subscribed stream, and the protocol's client rules:
 * after any drop it reconnects with exponential backoff and full jitter and re-subscribes every stream with
 * `resume` (rule 6); a replica's resync request goes to the server; a silent connection is declared dead.
 */
export class StreamClient {
  readonly events: Emitter<StreamClientEvents> = mitt<StreamClientEvents>();
  readonly #options: Required<Omit<StreamClientOptions, 'backoff'>>;
  readonly #backoff: Backoff;
  readonly #entries = new Map<string, Entry>();
  #state: ConnectionState = 'connecting';
  #transport: ClientTransport | undefined;
  #retryTimer: TimerHandle | undefined;
  #healthyTimer: TimerHandle | undefined;
  #silenceTimer: TimerHandle | undefined;

  constructor(options: StreamClientOptions) {
    this.#options = {
      transport: options.transport,
      healthyAfterMs: options.healthyAfterMs ?? 10_000,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 45_000,
      maxAttempts: options.maxAttempts ?? Number.POSITIVE_INFINITY,
      clock: options.clock ?? systemClock,
    };
    this.#backoff = new Backoff(options.backoff);
    this.#connect();
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Follows `stream`; its replica fills once the server's snapshot (or replay) arrives. */
  subscribe<S, D, W>(stream: string, options: StreamOptions<S, D, W>): ClientStream<S, D, W> {
    if (this.#entries.has(stream)) throw new Error(`already subscribed to ${stream}`);
    const replica: Replica<S, D, W> = new Replica({
      model: options.model,
      ...(options.checksum === undefined ? {} : { checksum: options.checksum }),
      onResync: (reason) => this.#requestResync(stream, reason),
    });
    const entry: Entry = { stream, replica, options: options.options };
    this.#entries.set(stream, entry);
    if (this.#state === 'live') void this.#sendSubscribe(entry);
    return {
      stream,
      replica,
      close: () => {
        this.#entries.delete(stream);
        if (this.#state === 'live') void this.#transport?.unsubscribe(stream).catch(() => undefined);
      },
    };
  }

  /**
   * Sends an app-specific request over the current connection and resolves with the server's ack. Rejects when not
   * live, or when the transport cannot carry requests (SSE).
   */
  async request(event: string, payload: unknown): Promise<unknown> {
    const transport = this.#transport;
    if (this.#state !== 'live' || transport?.request === undefined) {
      throw new Error(
        `cannot send ${event}: ${this.#state === 'live' ? 'the transport carries no requests' : this.#state}`,
      );
    }
    return transport.request(event, payload);
  }

  /**
   * Drops the current connection as a network failure would, then reconnects with backoff and resumes every stream
   * (rule 6) — for a UI's "disconnect" button and for tests.
   */
  reconnect(): void {
    const transport = this.#transport;
    if (transport === undefined || this.#state !== 'live') return;
    this.#dropped('reconnect requested');
    transport.close();
  }

  /** Closes the connection for good. */
  close(): void {
    this.#clearTimers();
    this.#setState('closed');
    const transport = this.#transport;
    this.#transport = undefined;
    transport?.close();
  }

  #connect(): void {
    const transport = this.#options.transport();
    this.#transport = transport;
    transport.open({
      onOpen: () => {
        if (this.#transport !== transport) return;
        this.#setState('live');
        this.#armSilence();
        const clock = this.#options.clock;
        this.#healthyTimer = clock.setTimeout(() => this.#backoff.reset(), this.#options.healthyAfterMs);
        for (const entry of this.#entries.values()) void this.#sendSubscribe(entry);
      },
      onMessage: (message) => {
        if (this.#transport !== transport) return;
        this.#armSilence();
        this.#route(message);
      },
      onClose: (reason, notice) => {
        if (this.#transport !== transport) return;
        if (notice !== undefined) this.events.emit('notice', notice);
        this.#dropped(notice?.reconnect === false ? 'failed' : reason);
      },
      onBadFrame: (error) => this.events.emit('error', { error }),
      onFrameSize: (bytes) => this.events.emit('frame', { bytes }),
      onEvent: (event, payload) => {
        if (this.#transport !== transport) return;
        this.#armSilence();
        this.events.emit('event', { event, payload });
      },
    });
  }

  #route(message: ServerMessage): void {
    if (message.type === 'heartbeat') return;
    const entry = this.#entries.get(message.stream);
    if (entry === undefined) return;
    const deltas = message.type === 'delta' ? [message] : message.type === 'batch' ? message.items : [];
    for (const delta of deltas) {
      const from = delta.from ?? delta.seq;
      if (from < delta.seq) this.events.emit('conflated', { stream: message.stream, from, seq: delta.seq });
      this.events.emit('delta', {
        stream: message.stream,
        from,
        seq: delta.seq,
        ...(delta.ts === undefined ? {} : { ts: delta.ts }),
      });
    }
    entry.replica.receive(message);
    this.events.emit('change', { stream: message.stream });
  }

  async #sendSubscribe(entry: Entry): Promise<void> {
    const transport = this.#transport;
    if (transport === undefined) return;
    const { replica } = entry;
    // Rule 6: resume only from a live replica; one waiting for a snapshot asks for a snapshot.
    const resume = replica.status === 'live' ? replica.position : undefined;
    try {
      const ack = await transport.subscribe({
        stream: entry.stream,
        ...(entry.options === undefined ? {} : { options: entry.options }),
        ...(resume === undefined ? {} : { resume }),
      });
      if (ack.ok) this.events.emit('subscribed', { stream: entry.stream, recovered: ack.recovered });
      else this.events.emit('error', { stream: entry.stream, error: ack.error });
    } catch (error) {
      this.events.emit('error', { stream: entry.stream, error });
    }
  }

  #requestResync(stream: string, reason: ResyncReason): void {
    this.events.emit('resync', { stream, reason });
    // Not live: the re-subscribe after the reconnect asks for the snapshot anyway.
    if (this.#state !== 'live') return;
    this.#transport?.resync(stream).catch((error: unknown) => this.events.emit('error', { stream, error }));
  }

  #dropped(reason: string): void {
    this.#clearTimers();
    this.#transport = undefined;
    if (this.#state === 'closed') return;
    if (reason === 'failed' || this.#backoff.attempt >= this.#options.maxAttempts) {
      this.#setState('failed');
      return;
    }
    this.#setState('reconnecting');
    const attempt = this.#backoff.attempt + 1;
    const delayMs = this.#backoff.next();
    this.events.emit('retry', { attempt, delayMs });
    this.#retryTimer = this.#options.clock.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#connect();
    }, delayMs);
  }

  /** A connection that says nothing for `heartbeatTimeoutMs` is dead, even if its socket looks open. */
  #armSilence(): void {
    if (this.#options.heartbeatTimeoutMs === 0) return;
    const clock = this.#options.clock;
    if (this.#silenceTimer !== undefined) clock.clearTimeout(this.#silenceTimer);
    this.#silenceTimer = clock.setTimeout(() => {
      const transport = this.#transport;
      this.#dropped('heartbeat timeout');
      transport?.close();
    }, this.#options.heartbeatTimeoutMs);
  }

  #clearTimers(): void {
    const clock = this.#options.clock;
    for (const timer of [this.#retryTimer, this.#healthyTimer, this.#silenceTimer]) {
      if (timer !== undefined) clock.clearTimeout(timer);
    }
    this.#retryTimer = this.#healthyTimer = this.#silenceTimer = undefined;
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.events.emit('state', state);
  }
}
