import { reserveMet, softCloseOf, statusAt, type AuctionState, type Leader } from './auction.js';
import { malformed, refusal, type Bid, type BidAccepted, type BidDecision } from './bids.js';
import { incrementFor } from './increments.js';

/** The lowest maximum a new bid may carry: the start price before any bid, else the price plus one increment. */
export function minimumBid(state: AuctionState): number {
  return state.leader === undefined ? state.priceCents : state.priceCents + incrementFor(state.priceCents);
}

/**
 * The bid-acceptance rules, the single source of them: every store applies exactly this (the Redis store's Lua
 * script is tested equal to it). Pure: the receipt time is an argument, never read from a clock.
 *
 * - Open only between `startsAt` and `endsAt`, judged by the server's receipt time (`auction_not_open`,
 *   `auction_closed`).
 * - A bid must reach {@link minimumBid}; a leader may only raise their own maximum (`bid_too_low`).
 * - Proxy bidding: the price is the lower of the leader's maximum and the runner-up's maximum plus one increment;
 *   on equal maximums the earlier bid leads; a leader raising their maximum does not raise the price.
 * - A hidden reserve: once the leader's maximum reaches it, the price rises to at least the reserve.
 * - Soft close: an accepted bid in the last `windowMs` moves the close to its receipt time plus `extensionMs`.
 */
export function placeBid(state: AuctionState, bid: Bid, receivedAt: number): BidDecision {
  const refuse = (code: Parameters<typeof refusal>[2], message: string): BidDecision => {
    const outcome = refusal(bid, receivedAt, code, message);
    return { state, outcome, auditEntry: auditLine(state, outcome) };
  };
  const bad = malformed(bid, receivedAt);
  if (bad !== undefined) return { state, outcome: bad, auditEntry: auditLine(state, bad) };
  const status = statusAt(state, receivedAt);
  if (status === 'scheduled') return refuse('auction_not_open', `auction ${state.terms.id} has not started`);
  if (status === 'closed') return refuse('auction_closed', `auction ${state.terms.id} has closed`);
  const leader = state.leader;
  const own = leader?.bidderId === bid.bidderId;
  if (own && bid.maxCents <= leader!.maxCents)
    return refuse('bid_too_low', 'you lead already: a new maximum must be above your current one');
  const minimum = minimumBid(state);
  if (bid.maxCents < minimum) return refuse('bid_too_low', `the minimum bid is ${minimum} cents`);

  const incoming: Leader = {
    bidderId: bid.bidderId,
    maxCents: bid.maxCents,
    bidId: bid.bidId,
    at: receivedAt,
  };
  let next: Leader;
  let price: number;
  // The first bid opens at the start price; a leader raising their own maximum leaves the price where it is.
  if (leader === undefined || own) [next, price] = [incoming, state.priceCents];
  else if (bid.maxCents > leader.maxCents)
    [next, price] = [incoming, Math.min(bid.maxCents, leader.maxCents + incrementFor(leader.maxCents))];
  // Equal or lower maximum: the standing (earlier) maximum keeps the lead and bids up to just above this one.
  else [next, price] = [leader, Math.min(leader.maxCents, bid.maxCents + incrementFor(bid.maxCents))];
  const reserve = state.terms.reserveCents;
  if (reserve !== undefined && next.maxCents >= reserve && price < reserve) price = reserve;

  const { windowMs, extensionMs } = softCloseOf(state.terms);
  const endsAt =
    receivedAt >= state.endsAt - windowMs ? Math.max(state.endsAt, receivedAt + extensionMs) : state.endsAt;
  const after: AuctionState = {
    ...state,
    version: state.version + 1,
    status: 'open',
    priceCents: price,
    leader: next,
    bidCount: state.bidCount + 1,
    endsAt,
  };
  const accepted: BidAccepted = {
    ok: true,
    auctionId: bid.auctionId,
    bidderId: bid.bidderId,
    bidId: bid.bidId,
    maxCents: bid.maxCents,
    receivedAt,
    leading: next.bidderId === bid.bidderId,
    priceCents: price,
    version: after.version,
    bidCount: after.bidCount,
    endsAt,
    extended: endsAt !== state.endsAt,
    reserveMet: reserveMet(after),
  };
  const displaced = leader !== undefined && !own && next !== leader ? leader.bidderId : undefined;
  return {
    state: after,
    outcome: accepted,
    auditEntry: auditLine(after, accepted),
    ...(displaced === undefined ? {} : { displaced }),
  };
}

/** The audit line of a first attempt (a store marks retries itself). */
function auditLine(state: AuctionState, outcome: BidDecision['outcome']): BidDecision['auditEntry'] {
  const leaderId = state.leader?.bidderId;
  return { kind: 'bid', outcome, duplicate: false, ...(leaderId === undefined ? {} : { leaderId }) };
}

/** What {@link closeAuction} decided. */
export interface CloseDecision {
  readonly state: AuctionState;
  /** Whether the auction is closed at `now` (now or before). */
  readonly closed: boolean;
  /** The audit line, when this call recorded the close. */
  readonly auditEntry?: Extract<BidDecision['auditEntry'], { kind: 'close' }>;
}

/**
 * Records the close — only when the server's time has reached `endsAt` (a timer asking early, or before an
 * extension it had not seen, gets `closed: false` and the current `endsAt` to wait for). Recording it twice is a no-op.
 */
export function closeAuction(state: AuctionState, now: number): CloseDecision {
  if (state.status === 'closed') return { state, closed: true };
  if (now < state.endsAt) return { state, closed: false };
  const after: AuctionState = { ...state, status: 'closed', version: state.version + 1 };
  return {
    state: after,
    closed: true,
    auditEntry: { kind: 'close', auctionId: state.terms.id, at: now, version: after.version },
  };
}
