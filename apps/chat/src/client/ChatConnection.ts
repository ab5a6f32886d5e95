import {
  StreamClient,
  socketIoTransport,
  type BackoffOptions,
  type StreamClientEvents,
} from '@twohop/client';
import { systemClock, type Clock } from '@twohop/sequence';
import mitt from 'mitt';
import type { ManagerOptions, SocketOptions } from 'socket.io-client';
import type { Reply } from '../domain/wire.js';

/**
 * Where a chat connection is. `unauthorized`: the token was refused (sign in again); `failed`: the server closed it
 * and said not to come back (abuse).
 */
export type SessionState = 'connecting' | 'live' | 'reconnecting' | 'unauthorized' | 'failed' | 'closed';

/** Options for {@link ChatConnection}. */
export interface ChatConnectionOptions {
  /** The chat server's base URL ('' in a browser on the same origin), or a function asked at every (re)connect. */
  url: string | (() => string);
  /** The signed session token from `POST /api/session`. */
  token: string;
  /** How long a request waits for its ack. @default 5000 */
  ackTimeoutMs?: number;
  /** Reconnect delays (full jitter). @default base 250 ms, cap 10 s */
  backoff?: BackoffOptions;
  /** Passed to socket.io-client; reconnection is always off (the connection reconnects with its own backoff). */
  socket?: Partial<ManagerOptions & SocketOptions>;
  /** @default systemClock */
  clock?: Clock;
}

/** What a {@link ChatConnection} tells its session. */
export type ChatConnectionEvents = {
  state: SessionState;
  /** A server event (`message`, `notice`, `presence` …) and its payload. */
  event: { event: string; payload: unknown };
};

/**
 * The chat session's connection: one socket.io connection at a time through `@twohop/client`'s `StreamClient` — its
 * backoff with full jitter, its reconnect loop, its handling of close notices — plus acknowledged requests that never
 * reject (`timeout` when no ack came, `offline` when not connected) and the token used at each (re)connect, which a
 * refresh replaces.
 */
export class ChatConnection {
  readonly events = mitt<ChatConnectionEvents>();
  readonly #options: ChatConnectionOptions;
  #client: StreamClient | undefined;
  #token: string;
  #state: SessionState = 'connecting';
  #notice: StreamClientEvents['notice'] | undefined;

  constructor(options: ChatConnectionOptions) {
    this.#options = options;
    this.#token = options.token;
    this.#start();
  }

  get state(): SessionState {
    return this.#state;
  }

  /** The token the next (re)connect presents. */
  get token(): string {
    return this.#token;
  }

  set token(token: string) {
    this.#token = token;
  }

  /**
   * Sends a request; resolves with the server's reply, or a `timeout` / `offline` error made here. A request made
   * while (re)connecting waits for the connection, up to the ack timeout, as socket.io buffers an emit.
   */
  async request<T = Record<string, unknown>>(event: string, payload: unknown): Promise<Reply<T>> {
    if (this.#client?.state !== 'live') await this.#live(this.#options.ackTimeoutMs ?? 5000);
    const client = this.#client;
    if (client === undefined || client.state !== 'live') {
      return { ok: false, error: { code: 'offline', message: `${event}: not connected` } };
    }
    try {
      return (await client.request(event, payload)) as Reply<T>;
    } catch {
      return { ok: false, error: { code: 'timeout', message: `${event}: no answer` } };
    }
  }

  /** Cuts the connection as a network fault would: it reconnects with backoff. */
  drop(): void {
    this.#client?.reconnect();
  }

  /** Goes offline until {@link ChatConnection.online} (airplane mode). */
  offline(): void {
    this.#stop();
    this.#setState('reconnecting');
  }

  /** Comes back from {@link ChatConnection.offline}. */
  online(): void {
    if (this.#client === undefined && this.#state === 'reconnecting') this.#start();
  }

  /** Closes the connection for good. */
  close(): void {
    this.#stop();
    this.#setState('closed');
    this.events.all.clear();
  }

  /** Resolves when the connection is live, or after `waitMs` (or at once when it will not come back by itself). */
  #live(waitMs: number): Promise<void> {
    if (this.#state !== 'connecting' && this.#state !== 'reconnecting') return Promise.resolve();
    if (this.#client === undefined) return Promise.resolve(); // offline on purpose
    const clock = this.#options.clock ?? systemClock;
    return new Promise((resolve) => {
      const done = () => {
        clock.clearTimeout(timer);
        this.events.off('state', onState);
        resolve();
      };
      const onState = (state: SessionState) => {
        if (state !== 'connecting' && state !== 'reconnecting') done();
      };
      const timer = clock.setTimeout(done, waitMs);
      this.events.on('state', onState);
    });
  }

  #start(): void {
    const { url, ackTimeoutMs = 5000, socket } = this.#options;
    const transport = (at: string) =>
      socketIoTransport(at, {
        ackTimeoutMs,
        socket: {
          // The long-polling fallback stays on for networks that break WebSockets.
          transports: ['polling', 'websocket'],
          ...socket,
          auth: (callback: (auth: object) => void) => callback({ token: this.#token }),
        },
      });
    const client = new StreamClient({
      transport: typeof url === 'string' ? transport(url) : () => transport(url())(),
      backoff: this.#options.backoff ?? { baseMs: 250, capMs: 10_000 },
      // The chat server sends no heartbeats: engine.io's ping/pong detects a dead connection.
      heartbeatTimeoutMs: 0,
      clock: this.#options.clock ?? systemClock,
    });
    client.events.on('notice', (notice) => (this.#notice = notice));
    client.events.on('event', (event) => this.events.emit('event', event));
    client.events.on('state', (state) => {
      if (state === 'failed')
        this.#setState(this.#notice?.error.code === 'unauthorized' ? 'unauthorized' : 'failed');
      else if (state !== 'closed') this.#setState(state);
    });
    this.#client = client;
  }

  #stop(): void {
    const client = this.#client;
    this.#client = undefined;
    client?.events.all.clear();
    client?.close();
  }

  #setState(state: SessionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.events.emit('state', state);
  }
}
