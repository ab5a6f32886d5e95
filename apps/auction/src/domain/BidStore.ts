import type { AuctionState, AuctionTerms } from './auction.js';
import type { AuditEntry, Bid, BidOutcome } from './bids.js';

/** What a store answered to one bid. */
export interface BidResult {
  /** The outcome to send the bidder (the original one on a retry). */
  readonly outcome: BidOutcome;
  /** A retry of a bid already decided (same auction, bidder and bid id): nothing changed, nothing to publish. */
  readonly duplicate: boolean;
  /** The auction after the bid — what the server publishes as its new state. Absent for `unknown_auction`. */
  readonly state?: AuctionState;
  /** The bidder this bid took the lead from: who gets an "outbid" notice. */
  readonly displaced?: string;
  /** The attempt's audit line, for the audit log (a retry's too, marked `duplicate`). */
  readonly auditEntry: AuditEntry;
}

/** What a store answered to a close request. */
export interface CloseResult {
  /** Whether the auction is closed (by this call or before). `false`: soft close moved `endsAt`; ask again then. */
  readonly closed: boolean;
  /** The auction as it stands; absent for an unknown auction. */
  readonly state?: AuctionState;
  /** The audit line when this call recorded the close. */
  readonly auditEntry?: AuditEntry;
}

/**
 * Where auctions live and bids are accepted. Every method is async, so a store shared by several nodes (Redis) stands
 * behind the same interface as the in-process one, and both pass one shared suite.
 *
 * What every implementation guarantees:
 * - **atomic**: each bid is decided by `placeBid` (src/domain/placeBid.ts) against the auction's latest state and
 *   applied in one indivisible step; the auction's `version` rises by one per change, so no two accepted bids ever
 *   see the same version;
 * - **server time**: the receipt time is the store's own clock (the process's, or Redis `TIME`), never the client's;
 * - **idempotent**: a bid whose (auction, bidder, bid id) was decided before gets that outcome again, `duplicate`.
 */
export interface BidStore {
  /** Adds an auction, or leaves an existing one with that id as it is; resolves with its state. */
  create(terms: AuctionTerms): Promise<AuctionState>;
  /** One auction's state, or undefined. */
  get(auctionId: string): Promise<AuctionState | undefined>;
  /** Every auction, by id. */
  list(): Promise<AuctionState[]>;
  /** Decides one bid at the store's time and applies it atomically. Refusals resolve (`ok: false`), never reject. */
  placeBid(bid: Bid): Promise<BidResult>;
  /** Records the close if the store's time has reached `endsAt` (a timer's request, decided by the store). */
  closeIfDue(auctionId: string): Promise<CloseResult>;
  /** The store's clock (ms since the epoch): the time `endsAt` is judged by, for the countdown. */
  now(): Promise<number>;
  /** Releases the store's connections. */
  close(): Promise<void>;
}

/** An append-only record of every bid attempt and close, durable before the bidder's ack. */
export interface AuditLog {
  /** Appends one line; resolves once it is durable. */
  append(entry: AuditEntry): Promise<void>;
  /** Every line, oldest first. */
  entries(): Promise<AuditEntry[]>;
  close(): Promise<void>;
}
