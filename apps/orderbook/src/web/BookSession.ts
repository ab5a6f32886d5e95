import {
  StreamClient,
  socketIoTransport,
  type ClientStream,
  type ConnectionState,
  type TransportFactory,
} from '@twohop/client';
import { keyedState, type KeyedChange, type KeyedSnapshot } from '@twohop/snapshot-delta';
import { LatencyWindow } from './LatencyWindow.js';
import { bookChecksum, levelBookState, type LevelBook } from '../book/LevelBook.js';
import { bookStream, tradesStream, type TradeView } from '../feed/BookFeed.js';
import { orderbookPayloads } from '../wire/bookPayload.js';

export type Tier = 'pro' | 'retail' | 'mobile';

/** What the stream inspector shows. */
export interface SessionStats {
  messagesPerSecond: number;
  bytesPerSecond: number;
  deltasApplied: number;
  conflated: number;
  gaps: number;
  resyncs: number;
  checksum: 'ok' | 'mismatch → resynced' | 'waiting';
  latencyP50: number;
  latencyP99: number;
  lastResync: string;
  /** How the last (re)subscribe of the book was answered: a replay of missed deltas, or a snapshot. */
  lastSubscribe: 'replay' | 'snapshot' | '—';
  reconnects: number;
}

/** The inspector before anything has arrived. */
export function emptyStats(): SessionStats {
  return {
    messagesPerSecond: 0,
    bytesPerSecond: 0,
    deltasApplied: 0,
    conflated: 0,
    gaps: 0,
    resyncs: 0,
    checksum: 'waiting',
    latencyP50: 0,
    latencyP99: 0,
    lastResync: '',
    lastSubscribe: '—',
    reconnects: 0,
  };
}

/**
 * One symbol at one tier, followed from the browser: a StreamClient (protobuf frames on `pro`), the book and trade
 * replicas, the inspector's counters, and the fault buttons. Framework-free; the Vue components read from it once
 * per animation frame.
 */
export class BookSession {
  readonly client: StreamClient;
  readonly book: ClientStream<LevelBook, readonly KeyedChange<number>[], KeyedSnapshot<number>>;
  readonly trades: ClientStream<
    Map<string, TradeView>,
    readonly KeyedChange<TradeView>[],
    KeyedSnapshot<TradeView>
  >;
  state: ConnectionState = 'connecting';
  readonly stats: SessionStats = emptyStats();
  #dropNext = false;
  #window = { messages: 0, bytes: 0, since: performance.now() };
  readonly #latency = new LatencyWindow();
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    readonly symbol: string,
    readonly tier: Tier,
    url: string = location.origin,
  ) {
    this.client = new StreamClient({
      transport: this.#faulty(
        socketIoTransport(url, {
          codec: tier === 'pro' ? 'protobuf' : 'json',
          binaryPayload: orderbookPayloads,
        }),
      ),
    });
    this.book = this.client.subscribe(bookStream(symbol, tier), {
      model: levelBookState(),
      checksum: bookChecksum,
    });
    this.trades = this.client.subscribe(tradesStream(symbol, tier), { model: keyedState<TradeView>() });
    const events = this.client.events;
    events.on('state', (state) => (this.state = state));
    events.on('frame', ({ bytes }) => {
      this.#window.messages++;
      this.#window.bytes += bytes;
    });
    events.on('conflated', () => this.stats.conflated++);
    events.on('subscribed', ({ stream, recovered }) => {
      if (stream === this.book.stream) this.stats.lastSubscribe = recovered ? 'replay' : 'snapshot';
    });
    events.on('retry', () => this.stats.reconnects++);
    events.on('resync', ({ reason }) => {
      this.stats.resyncs++;
      if (reason === 'gap') this.stats.gaps++;
      if (reason === 'checksum') this.stats.checksum = 'mismatch → resynced';
      this.stats.lastResync = `${reason} at ${new Date().toLocaleTimeString()}`;
    });
    this.#timer = setInterval(() => this.#tick(), 1000);
  }

  /** The inspector's figures: rates from the last second, counters as of now. */
  liveStats(): SessionStats {
    const replica = this.book.replica;
    if (this.stats.checksum === 'waiting' && replica.status === 'live') this.stats.checksum = 'ok';
    this.stats.deltasApplied = replica.stats.applied;
    return this.stats;
  }

  /** Drops the next book delta on arrival: the one after it shows a gap, and the replica resyncs (rule 3). */
  dropNextDelta(): void {
    this.#dropNext = true;
  }

  /** Asks the server to treat this connection as unwritable for `ms`: it conflates, then the client catches up. */
  async stall(ms = 5000): Promise<void> {
    await this.client.request('fault', { kind: 'stall', ms });
  }

  /** Cuts the connection: the client reconnects and resumes by replay (rule 6). */
  disconnect(): void {
    this.client.reconnect();
  }

  close(): void {
    clearInterval(this.#timer);
    this.client.close();
  }

  #tick(): void {
    const seconds = (performance.now() - this.#window.since) / 1000;
    this.stats.messagesPerSecond = Math.round(this.#window.messages / seconds);
    this.stats.bytesPerSecond = Math.round(this.#window.bytes / seconds);
    this.#window = { messages: 0, bytes: 0, since: performance.now() };
    const { p50, p99 } = this.#latency.summary();
    this.stats.latencyP50 = p50;
    this.stats.latencyP99 = p99;
  }

  /**
   * Wraps the transport to see book deltas as they arrive: "drop next delta" loses one, as a lossy network would,
   * and each one's server timestamp gives the engine-to-screen latency.
   */
  #faulty(factory: TransportFactory): TransportFactory {
    return () => {
      const transport = factory();
      const open = transport.open.bind(transport);
      return {
        ...transport,
        open: (handlers) =>
          open({
            ...handlers,
            onMessage: (message) => {
              if (message.type === 'delta' && message.stream === this.book.stream) {
                if (this.#dropNext) {
                  this.#dropNext = false;
                  return;
                }
                if (message.ts !== undefined) this.#latency.record(Date.now() - message.ts);
              }
              handlers.onMessage(message);
            },
          }),
      };
    };
  }
}
