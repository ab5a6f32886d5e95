/** The types a `ChatSession` is built from and reports with: its options, events and live counters. */
import type { BackoffOptions } from '@twohop/client';
import type { Clock } from '@twohop/sequence';
import type { ManagerOptions, SocketOptions } from 'socket.io-client';
import type { ReplyError } from '../domain/wire.js';
import type { SessionState } from './ChatConnection.js';
import type { OpenRooms } from './OpenRooms.js';
import type { Outbox } from './Outbox.js';

/** What a session tells its UI. `change` fires after anything visible changed. */
export type ChatSessionEvents = {
  state: SessionState;
  change: void;
  /** A room was (re)joined after a disconnect: how many messages it brought. */
  'caught-up': { room: string; count: number };
  /** A live message arrived beyond a hole: the session is fetching what is missing. */
  gap: { room: string; expected: number; got: number };
  error: ReplyError;
  /** The session token was refreshed: keep the new one for the next visit. */
  token: { token: string; expiresAt: number };
};

/** Options for {@link ChatSession}. */
export interface ChatSessionOptions {
  /**
   * The chat server's base URL ('' in a browser on the same origin), or a function asked at every (re)connect (a
   * client that knows several nodes moves to another when its own is gone).
   */
  url: string | (() => string);
  /** The signed session token from `POST /api/session`. */
  token: string;
  /** The signed-in user's public id (to know your own messages and receipts). */
  userId: string;
  /** How long a request waits for its ack before a send shows as failed. @default 5000 */
  ackTimeoutMs?: number;
  /** Makes client message ids. @default 24 random hex digits */
  newId?: () => string;
  /** Reconnect delays (full jitter). @default base 250 ms, cap 10 s */
  backoff?: BackoffOptions;
  /** Passed to socket.io-client (reconnection is always off: the session reconnects with its own backoff). */
  socket?: Partial<ManagerOptions & SocketOptions>;
  /** Timers (typing expiry, read throttle, retries, token refresh). @default systemClock */
  clock?: Clock;
}

/** A random client message id (works on plain-http pages too, where `crypto.randomUUID` is missing). */
export const randomId = (): string =>
  Array.from(globalThis.crypto.getRandomValues(new Uint8Array(12)), (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('');

/** A session's counters, read live from its open rooms and its outbox. */
export interface SessionStats {
  /** Deliveries of a message already held. */
  readonly duplicates: number;
  /** Holes detected by seq (and fetched). */
  readonly gaps: number;
  /** Re-joins after a reconnect. */
  readonly rejoins: number;
  /** Sends retried with their client id. */
  readonly resent: number;
  /** Retries the store answered `duplicate: true` (the first send was stored, its ack lost). */
  readonly duplicateAcks: number;
}

/** The live view of `rooms`' and `outbox`'s counters. */
export function sessionStats(rooms: Pick<OpenRooms, 'stats'>, outbox: Pick<Outbox, 'stats'>): SessionStats {
  return {
    get duplicates() {
      return rooms.stats.duplicates;
    },
    get gaps() {
      return rooms.stats.gaps;
    },
    get rejoins() {
      return rooms.stats.rejoins;
    },
    get resent() {
      return outbox.stats.resent;
    },
    get duplicateAcks() {
      return outbox.stats.duplicateAcks;
    },
  };
}
