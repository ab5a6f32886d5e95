import type { AuctionTerms } from '@twohop/auction/domain';
import type { BidStoreConfig } from '@twohop/auction/store';
import { systemClock, type Clock } from '@twohop/sequence';
import type { ConnectionLimits } from '@twohop/server';
import type { SimulationOptions } from './BidderSimulation.js';

/** Options for `createAuctionServer`. Every limit is documented in docs/apps/auction.md ("Limits"). */
export interface AuctionServerOptions {
  /** Where auctions live and bids are decided: this process, or Redis. @default `{kind: 'in-process'}` */
  store?: BidStoreConfig;
  /**
   * The audit log's SQLite file, where every bid attempt is durable before its ack; the in-process store is rebuilt
   * from it at start. @default ':memory:'
   */
  database?: string;
  /** Signs session tokens and bidder aliases. @default a random secret (sessions do not survive a restart) */
  secret?: string;
  /** How long a session token is valid. @default 1 day */
  sessionTtlMs?: number;
  /** Sign-ins one address may make per minute (`POST /api/session`), sustained. @default 10 */
  sessionsPerMinute?: number;
  /** …and in a burst. @default 20 */
  sessionBurst?: number;
  /** Bids a user may place per second, sustained, over all their connections. @default 5 */
  bidRate?: number;
  /** …and in a burst. @default 10 */
  bidBurst?: number;
  /** Request cost a user may spend per second over all their connections. @default 40 */
  userRate?: number;
  /** …and in a burst. @default 80 */
  userBurst?: number;
  /** Lots open from the start. @default none */
  lots?: readonly AuctionTerms[];
  /** Simulated bidders keeping lots alive (`pnpm start` turns them on; tests leave them off). @default off */
  simulation?: SimulationOptions | false;
  /** Serves this folder at `/` (the built UI). */
  webRoot?: string;
  /** Per-connection limits of the stream binding (heartbeat, strikes, reply buffer). @default defaultLimits */
  limits?: Partial<ConnectionLimits>;
  /**
   * Lets a client ask the server to treat its connection as unwritable for a while (`fault {kind: 'stall', ms}`),
   * to see conflation; for tests and demos. @default false
   */
  allowFaultInjection?: boolean;
  /** Timers (closes, budgets, the simulation). @default systemClock */
  clock?: Clock;
  /** The wall clock of session expiry, notices and stream timestamps (ms since the epoch). @default Date.now */
  now?: () => number;
}

/** {@link AuctionServerOptions} with every default filled in (the store, its audit log and the UI aside). */
export type ResolvedAuctionOptions = Required<
  Omit<AuctionServerOptions, 'store' | 'database' | 'webRoot' | 'secret'>
> &
  Pick<AuctionServerOptions, 'webRoot'> & { secret: string };

/** Fills in the defaults. */
export function resolveOptions(options: AuctionServerOptions, secret: string): ResolvedAuctionOptions {
  return {
    secret,
    sessionTtlMs: options.sessionTtlMs ?? 24 * 60 * 60 * 1000,
    sessionsPerMinute: options.sessionsPerMinute ?? 10,
    sessionBurst: options.sessionBurst ?? 20,
    bidRate: options.bidRate ?? 5,
    bidBurst: options.bidBurst ?? 10,
    userRate: options.userRate ?? 40,
    userBurst: options.userBurst ?? 80,
    lots: options.lots ?? [],
    simulation: options.simulation ?? false,
    ...(options.webRoot === undefined ? {} : { webRoot: options.webRoot }),
    limits: options.limits ?? {},
    allowFaultInjection: options.allowFaultInjection ?? false,
    clock: options.clock ?? systemClock,
    now: options.now ?? Date.now,
  };
}
