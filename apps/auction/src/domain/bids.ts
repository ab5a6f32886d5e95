import type { AuctionState } from './auction.js';
import type { BidRefusalCode } from './refusals.js';

/** The largest maximum bid accepted, in cents ($10 billion): keeps every amount exact in a double and in Lua. */
export const MAX_BID_CENTS = 1_000_000_000_000;

/** A bid as a bidder sends it: a maximum (proxy) bid, named by the bidder's own id so a retry is recognised. */
export interface Bid {
  readonly auctionId: string;
  readonly bidderId: string;
  /** The client's id for this bid (1–64 characters): a retry with the same id gets the original outcome. */
  readonly bidId: string;
  /** The most the bidder will pay, in cents; the auction bids for them up to it, one increment at a time. */
  readonly maxCents: number;
}

/** What every outcome repeats of its bid, and when the server received it. */
interface OutcomeBase {
  readonly auctionId: string;
  readonly bidderId: string;
  readonly bidId: string;
  readonly maxCents: number;
  /** The server's receipt time: the only clock that decides status and soft close. */
  readonly receivedAt: number;
}

/** An accepted bid, and the auction as it left it. */
export interface BidAccepted extends OutcomeBase {
  readonly ok: true;
  /** Whether this bidder leads after it (false when a standing maximum outbid it at once). */
  readonly leading: boolean;
  readonly priceCents: number;
  /** The auction's version after this bid. */
  readonly version: number;
  readonly bidCount: number;
  readonly endsAt: number;
  /** Whether this bid moved the close (soft close). */
  readonly extended: boolean;
  readonly reserveMet: boolean;
}

/** A refused bid: the auction is unchanged. */
export interface BidRefused extends OutcomeBase {
  readonly ok: false;
  readonly code: BidRefusalCode;
  readonly message: string;
}

/** How the auction answered one bid. */
export type BidOutcome = BidAccepted | BidRefused;

/**
 * One line of the audit log: every bid attempt with its outcome (retries included, marked `duplicate`), and every
 * close. Replaying the non-duplicate lines of an auction through the rules reproduces its state exactly.
 */
export type AuditEntry =
  | {
      readonly kind: 'bid';
      readonly outcome: BidOutcome;
      /** A retry of a bid already decided: its original outcome, nothing changed. */
      readonly duplicate: boolean;
      /** Who leads after the attempt (absent before any bid or for an unknown auction). */
      readonly leaderId?: string;
    }
  | { readonly kind: 'close'; readonly auctionId: string; readonly at: number; readonly version: number };

/** What {@link placeBid} decided: the next state, the outcome to answer, the audit line, and who lost the lead. */
export interface BidDecision {
  readonly state: AuctionState;
  readonly outcome: BidOutcome;
  readonly auditEntry: AuditEntry;
  /** The bidder this bid took the lead from (for an "outbid" notice). */
  readonly displaced?: string;
}

/** The key a store remembers a bid's outcome under: the bidder's id and theirs for the bid, unambiguously joined. */
export const bidKey = (bid: Pick<Bid, 'bidderId' | 'bidId'>): string =>
  `${bid.bidderId.length}:${bid.bidderId}:${bid.bidId}`;

/** Ids of auctions, bidders and bids: 1–64 characters, none of them a control character. */
export const isValidId = (id: unknown): id is string =>
  typeof id === 'string' &&
  id.length >= 1 &&
  id.length <= 64 &&
  [...id].every((char) => char.charCodeAt(0) > 0x1f && char.charCodeAt(0) !== 0x7f);

/** Whether `cents` is an amount a bid may carry: whole cents from 1 to {@link MAX_BID_CENTS}. */
export const isValidAmount = (cents: unknown): cents is number =>
  typeof cents === 'number' && Number.isSafeInteger(cents) && cents >= 1 && cents <= MAX_BID_CENTS;

/** A refusal of `bid` received at `receivedAt`. */
export function refusal(bid: Bid, receivedAt: number, code: BidRefusalCode, message: string): BidRefused {
  const { auctionId, bidderId, bidId, maxCents } = bid;
  return { ok: false, auctionId, bidderId, bidId, maxCents, receivedAt, code, message };
}

/** The refusal of a malformed bid (amount or ids out of shape), or undefined: checked before anything is read. */
export function malformed(bid: Bid, receivedAt: number): BidRefused | undefined {
  if (isValidAmount(bid.maxCents) && isValidId(bid.bidderId) && isValidId(bid.bidId)) return undefined;
  return refusal(
    bid,
    receivedAt,
    'invalid_message',
    'a bid is whole cents from 1 to 10^12, with ids of 1–64 characters',
  );
}
