import {
  StreamClient,
  socketIoTransport,
  webSocketTransport,
  type ClientStream,
  type TransportFactory,
} from '@twohop/client';
import { keyedState, type KeyedChange, type KeyedSnapshot } from '@twohop/snapshot-delta';
import { bookChecksum, levelBookState, type LevelBook } from '../domain/LevelBook.js';
import { bookStream, tradesStream, type TradeView } from '../domain/streams.js';
import { orderbookPayloads } from '../domain/bookPayload.js';

export type Tier = 'pro' | 'retail' | 'mobile';

/** How the page reaches the server: socket.io, or plain WebSocket at `/ws` (docs/apps/orderbook.md). */
export type Transport = 'socket.io' | 'ws';

/**
 * One symbol at one tier, followed from the browser: a StreamClient over socket.io or plain WebSocket (protobuf
 * frames on `pro`), the book and trade replicas, and the fault buttons. Framework-free; the Vue components read from it once per animation frame.
 */
export class BookSession {
  readonly client: StreamClient;
  readonly book: ClientStream<LevelBook, readonly KeyedChange<number>[], KeyedSnapshot<number>>;
  readonly trades: ClientStream<
    Map<string, TradeView>,
    readonly KeyedChange<TradeView>[],
    KeyedSnapshot<TradeView>
  >;
  #dropNext = false;

  constructor(
    readonly symbol: string,
    readonly tier: Tier,
    readonly transport: Transport = 'socket.io',
    url: string = location.origin,
  ) {
    const codec = { codec: tier === 'pro' ? 'protobuf' : 'json', binaryPayload: orderbookPayloads } as const;
    this.client = new StreamClient({
      transport: this.#lossy(
        transport === 'ws' ? webSocketTransport(`${url}/ws`, codec) : socketIoTransport(url, codec),
      ),
    });
    this.book = this.client.subscribe(bookStream(symbol, tier), {
      model: levelBookState(),
      checksum: bookChecksum,
    });
    this.trades = this.client.subscribe(tradesStream(symbol, tier), { model: keyedState<TradeView>() });
  }

  /** Drops the next book delta on arrival: the one after it shows a gap, and the replica resyncs (rule 3). */
  dropNextDelta(): void {
    this.#dropNext = true;
  }

  /**
   * Asks the server to treat this connection as unwritable for `ms`: it conflates, then the client catches up.
   * Resolves when the server acknowledged: the stall has begun.
   */
  async stall(ms = 5000): Promise<void> {
    await this.client.request('fault', { kind: 'stall', ms });
  }

  /** Cuts the connection: the client reconnects and resumes by replay (rule 6). */
  disconnect(): void {
    this.client.reconnect();
  }

  close(): void {
    this.client.close();
  }

  /** Wraps the transport so "drop next delta" can lose one book delta, as a lossy network would. */
  #lossy(factory: TransportFactory): TransportFactory {
    return () => {
      const transport = factory();
      const open = transport.open.bind(transport);
      return {
        ...transport,
        open: (handlers) =>
          open({
            ...handlers,
            onMessage: (message) => {
              if (this.#dropNext && message.type === 'delta' && message.stream === this.book.stream) {
                this.#dropNext = false;
                return;
              }
              handlers.onMessage(message);
            },
          }),
      };
    };
  }
}
