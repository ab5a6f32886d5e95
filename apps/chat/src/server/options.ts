import { systemClock, type Clock } from '@twohop/sequence';
import type { ConnectionLimits } from '@twohop/server';
import type { ChatStore } from '../domain/ChatStore.js';
import type { ChatBackend } from './feed/ChatBackend.js';

/** Options for `createChatServer`. Every limit is documented in docs/apps/chat.md ("Limits"). */
export interface ChatServerOptions {
  /**
   * What the node shares with other nodes (store, feed, presence): `redisBackend` for several nodes on Redis.
   * @default an embedded backend over `store`
   */
  backend?: ChatBackend;
  /** Where rooms and messages live, embedded. @default a new in-memory `SqliteChatStore` (or one on `database`) */
  store?: ChatStore;
  /** The SQLite file of the default store. @default ':memory:' */
  database?: string;
  /** Signs session tokens. @default a random secret (sessions do not survive a restart) */
  secret?: string;
  /** How long a session token is valid; clients refresh it (`session:refresh`) past half its life. @default 1 day */
  sessionTtlMs?: number;
  /** Sessions one address may create per minute, sustained (`POST /api/session`). @default 10 */
  sessionsPerMinute?: number;
  /** …and in a burst. @default 20 */
  sessionBurst?: number;
  /** Request cost a user may spend per second over all their connections (the shared request layer's identity budget). @default 40 */
  userRate?: number;
  /** …and in a burst. @default 80 */
  userBurst?: number;
  /** Messages a user may send per second, sustained (over all their connections). @default 5 */
  sendRate?: number;
  /** …and in a burst. @default 20 */
  sendBurst?: number;
  /** Rooms a user may create per minute, sustained. @default 1 */
  roomsPerMinute?: number;
  /** …and in a burst. @default 5 */
  roomBurst?: number;
  /**
   * Fan-out by room size: up to this many members, every message goes to every member; above it, only to members
   * with the room open, and the others get a `{room, seq}` notice and fetch on opening the room. @default 100
   */
  largeRoom?: number;
  /** In a large room, at most one notice per room per this many ms, carrying the newest seq. @default 1000 */
  noticeIntervalMs?: number;
  /** Read receipts are broadcast per room at most once per this many ms (the newest per user). @default 1000 */
  receiptIntervalMs?: number;
  /** Rooms a user may be a member of (created or joined). @default 50 */
  maxRooms?: number;
  /** Serves this folder at `/` (the built UI). */
  webRoot?: string;
  /** Rooms that exist from the start (created if missing). */
  seedRooms?: string[];
  /** Request limits per connection (strikes, rates, reply buffer): docs/protocol.md ("Limits"). @default defaultLimits */
  limits?: Partial<ConnectionLimits>;
  /** Timers (throttles, sweeps, budgets). @default systemClock */
  clock?: Clock;
  /** The wall clock for message timestamps, presence and session expiry (ms since the epoch). @default Date.now */
  now?: () => number;
}

/** {@link ChatServerOptions} with every default filled in (the store aside). */
export type ResolvedChatOptions = Required<
  Omit<ChatServerOptions, 'backend' | 'store' | 'database' | 'webRoot' | 'secret'>
> &
  Pick<ChatServerOptions, 'webRoot'> & { secret: string };

/** Fills in the defaults. */
export function resolveOptions(options: ChatServerOptions, secret: string): ResolvedChatOptions {
  return {
    secret,
    sessionTtlMs: options.sessionTtlMs ?? 24 * 60 * 60 * 1000,
    sessionsPerMinute: options.sessionsPerMinute ?? 10,
    sessionBurst: options.sessionBurst ?? 20,
    userRate: options.userRate ?? 40,
    userBurst: options.userBurst ?? 80,
    sendRate: options.sendRate ?? 5,
    sendBurst: options.sendBurst ?? 20,
    roomsPerMinute: options.roomsPerMinute ?? 1,
    roomBurst: options.roomBurst ?? 5,
    largeRoom: options.largeRoom ?? 100,
    noticeIntervalMs: options.noticeIntervalMs ?? 1000,
    receiptIntervalMs: options.receiptIntervalMs ?? 1000,
    maxRooms: options.maxRooms ?? 50,
    ...(options.webRoot === undefined ? {} : { webRoot: options.webRoot }),
    seedRooms: options.seedRooms ?? [],
    limits: options.limits ?? {},
    clock: options.clock ?? systemClock,
    now: options.now ?? Date.now,
  };
}
