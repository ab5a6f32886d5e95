import {
  socketIoTransport,
  StreamClient,
  type BackoffOptions,
  type ClientStream,
  type ConnectionState,
} from '@twohop/client';
import { systemClock, type Clock, type TimerHandle } from '@twohop/sequence';
import { keyedState, type KeyedChange, type KeyedSnapshot } from '@twohop/snapshot-delta';
import type { ManagerOptions, SocketOptions } from 'socket.io-client';
import { NoticeFeed } from './NoticeFeed.js';
import { ServerClock } from './ServerClock.js';
import {
  bidsStream,
  CATALOG_STREAM,
  lotStream,
  type BidAck,
  type BidEntry,
  type LotView,
  type Notice,
  type Reply,
} from './wire.js';

export { requestSession, type SignedIn } from '@twohop/client';

type Keyed<V> = ClientStream<Map<string, V>, readonly KeyedChange<V>[], KeyedSnapshot<V>>;
/** A lot's `auction:<id>` stream: its fields by name. */
export type LotStream = Keyed<LotView[keyof LotView]>;
/** A lot's `bids:<id>` stream: accepted bids by `b<n>`. */
export type BidsStream = Keyed<BidEntry>;

/** Options for {@link AuctionSession}. */
export interface AuctionSessionOptions {
  /**
   * The auction server's base URL ('' in a browser on the same origin); a function is asked again at every
   * (re)connect (a test moving its client to another node, as a load balancer would).
   */
  url: string | (() => string);
  /** The signed session token from `POST /api/session`. */
  token: string;
  /** When the token expires (ms since the epoch): the session refreshes it past half its life. */
  expiresAt?: number;
  /** How long a request waits for its ack. @default 5000 */
  ackTimeoutMs?: number;
  /** Attempts per bid when no ack comes (each with the same bid id). @default 3 */
  bidAttempts?: number;
  /** @default base 250 ms, cap 10 s */
  backoff?: BackoffOptions;
  /** Passed to socket.io-client (reconnection stays off: the client reconnects with its own backoff). */
  socket?: Partial<ManagerOptions & SocketOptions>;
  /** Timers and the monotonic clock of the countdown. @default systemClock */
  clock?: Clock;
  /** The wall clock (ms since the epoch) the token's expiry is judged by. @default Date.now */
  now?: () => number;
  /** Makes bid ids. @default crypto.randomUUID */
  newId?: () => string;
  /** Time samples per clock estimate, and how often to estimate again. @default 5, 60000 */
  clockSamples?: number;
  clockIntervalMs?: number;
}

/** One lot followed: its live state, its accepted bids. */
export interface FollowedLot {
  readonly lot: LotStream;
  readonly bids: BidsStream;
  close(): void;
}

/** A lot's fields as the stream holds them, or undefined before its snapshot. */
export function lotOf(stream: LotStream | undefined): LotView | undefined {
  const state = stream?.replica.state;
  if (state === undefined || state.size === 0) return undefined;
  return Object.fromEntries(state) as unknown as LotView;
}

/**
 * One signed-in user's session with the auction, for a browser or a test: a `StreamClient` over socket.io (the
 * token presented at every connect), the lot list's replica, a replica per followed lot and its bid history, the
 * user's notices ({@link NoticeFeed}: in order, caught up after every reconnect), the server's clock
 * ({@link ServerClock}: re-estimated after every reconnect and periodically), and bids that are retried with the
 * same bid id until an ack comes, so a bid is never placed twice.
 */
export class AuctionSession {
  readonly client: StreamClient;
  readonly catalog: Keyed<LotView>;
  readonly notices: NoticeFeed;
  readonly serverClock: ServerClock;
  readonly #options: AuctionSessionOptions;
  readonly #clock: Clock;
  #token: string;
  #refreshTimer: TimerHandle | undefined;
  #unauthorized = false;

  constructor(options: AuctionSessionOptions) {
    this.#options = options;
    this.#token = options.token;
    const clock = (this.#clock = options.clock ?? systemClock);
    const transport = (url: string) =>
      socketIoTransport(url, {
        ackTimeoutMs: options.ackTimeoutMs ?? 5000,
        socket: {
          ...options.socket,
          auth: (callback: (auth: object) => void) => callback({ token: this.#token }),
        },
      });
    const { url } = options;
    this.client = new StreamClient({
      transport: typeof url === 'string' ? transport(url) : () => transport(url())(),
      backoff: options.backoff ?? { baseMs: 250, capMs: 10_000 },
      clock,
    });
    this.catalog = this.client.subscribe(CATALOG_STREAM, { model: keyedState<LotView>() });
    this.notices = new NoticeFeed((event, payload) => this.request(event, payload));
    this.serverClock = new ServerClock({
      ask: async () => {
        const reply = await this.request<{ serverTime: number }>('time', {});
        return reply.ok ? reply.serverTime : undefined;
      },
      clock,
      ...(options.clockSamples === undefined ? {} : { samples: options.clockSamples }),
      ...(options.clockIntervalMs === undefined ? {} : { intervalMs: options.clockIntervalMs }),
    });
    this.client.events.on('event', ({ event, payload }) => {
      if (event === 'notice') this.notices.receive(payload as Notice);
    });
    this.client.events.on('notice', (notice) => {
      if (notice.error.code === 'unauthorized') this.#unauthorized = true;
    });
    this.client.events.on('state', (state) => {
      if (state !== 'live') return;
      // Every (re)connect: what was missed while away, and the clock again (the network path may have changed).
      void this.notices.rejoin();
      void this.serverClock.resync();
    });
    this.#scheduleRefresh(options.expiresAt);
  }

  /** Where the connection is; `unauthorized` when the server refused the token (sign in again). */
  get state(): ConnectionState | 'unauthorized' {
    return this.#unauthorized ? 'unauthorized' : this.client.state;
  }

  /** Follows one lot: its state (`auction:<id>`) and its accepted bids (`bids:<id>`). */
  follow(auction: string): FollowedLot {
    const lot: LotStream = this.client.subscribe(lotStream(auction), {
      model: keyedState<LotView[keyof LotView]>(),
    });
    const bids: BidsStream = this.client.subscribe(bidsStream(auction), { model: keyedState<BidEntry>() });
    return {
      lot,
      bids,
      close: () => {
        lot.close();
        bids.close();
      },
    };
  }

  /**
   * Places a maximum (proxy) bid. When no ack comes (a timeout, the connection down) it is sent again with the
   * same bid id — the server answers a retry with the first outcome, so it is placed at most once.
   */
  async bid(auction: string, maxCents: number, bidId = this.#newId()): Promise<Reply<BidAck>> {
    const attempts = this.#options.bidAttempts ?? 3;
    let reply: Reply<BidAck> = { ok: false, error: { code: 'timeout', message: 'bid: no answer' } };
    for (let attempt = 0; attempt < attempts; attempt++) {
      reply = await this.request<BidAck>('bid', { auction, bidId, maxCents });
      if (reply.ok || (reply.error.code !== 'timeout' && reply.error.code !== 'offline')) return reply;
    }
    return reply;
  }

  /** Who this user is on a lot, as the lot's watchers see them. */
  async alias(auction: string): Promise<string | undefined> {
    const reply = await this.request<{ alias: string }>('alias', { auction });
    return reply.ok ? reply.alias : undefined;
  }

  /** Sends a request; resolves with the reply, or `timeout` / `offline` made here. Never rejects. */
  async request<T>(event: string, payload: unknown): Promise<Reply<T>> {
    if (this.client.state !== 'live') {
      return { ok: false, error: { code: 'offline', message: `${event}: not connected` } };
    }
    try {
      return (await this.client.request(event, payload)) as Reply<T>;
    } catch {
      return { ok: false, error: { code: 'timeout', message: `${event}: no answer` } };
    }
  }

  /** Starts the server-clock estimates (the page calls `serverClock.resync()` when it becomes visible). */
  startClock(): void {
    void this.serverClock.start();
  }

  close(): void {
    if (this.#refreshTimer !== undefined) this.#clock.clearTimeout(this.#refreshTimer);
    this.serverClock.stop();
    this.client.close();
  }

  #newId(): string {
    return (this.#options.newId ?? (() => crypto.randomUUID()))();
  }

  /** Refreshes the token past half its life, so an open tab never sees it expire. */
  #scheduleRefresh(expiresAt: number | undefined): void {
    if (expiresAt === undefined) return;
    const now = (this.#options.now ?? Date.now)();
    const delay = Math.max(1000, (expiresAt - now) / 2);
    // Timers beyond 2^31 ms fire at once; a day-long token is well under it.
    this.#refreshTimer = this.#clock.setTimeout(async () => {
      const reply = await this.request<{ token: string; expiresAt: number }>('session:refresh', {});
      if (reply.ok) this.#token = reply.token;
      this.#scheduleRefresh(reply.ok ? reply.expiresAt : now + 2 * delay);
    }, delay);
  }
}
