/**
 * An auction's terms (what the seller set) and its state (what bidding made of them). Money is integer cents, times
 * are milliseconds since the epoch on the server's clock. Both are plain data, so every store keeps them the same way
 * and a test can compare two stores with `toEqual`.
 */

/** Soft close: a bid accepted in the last `windowMs` before the close moves the close to its receipt + `extensionMs`. */
export interface SoftClose {
  /** How close to the end a bid must arrive to extend it. */
  readonly windowMs: number;
  /** The close moves to the bid's receipt time plus this. */
  readonly extensionMs: number;
}

/**
 * Soft-close rules of two European online auction houses. Catawiki: a bid in the final minute extends that lot's
 * bidding by one minute. Lauritz.com ("dynamic closing"): a bid with less than 2 minutes left makes the lot end 2
 * minutes after the bid. Both leave every bidder a full window to answer the last bid.
 */
export const SOFT_CLOSE_PRESETS = {
  catawiki: { windowMs: 60_000, extensionMs: 60_000 },
  lauritz: { windowMs: 120_000, extensionMs: 120_000 },
} as const satisfies Record<string, SoftClose>;

/** The default soft close: Lauritz.com's 2 minutes after the last bid. */
export const DEFAULT_SOFT_CLOSE: SoftClose = SOFT_CLOSE_PRESETS.lauritz;

/** What the seller set: fixed for the auction's life. */
export interface AuctionTerms {
  /** 1–64 letters, digits, `_` or `-`: used in stream names (`auction:<id>`) and Redis keys. */
  readonly id: string;
  readonly title: string;
  /** The lowest opening bid, in cents (≥ 1). */
  readonly startPriceCents: number;
  /** The hidden reserve in cents: below it the lot does not sell ("reserve not met"). Never sent to bidders. */
  readonly reserveCents?: number;
  /** Bids are refused (`auction_not_open`) before this. */
  readonly startsAt: number;
  /** The scheduled close; soft close may move the close later (see {@link AuctionState.endsAt}). */
  readonly endsAt: number;
  /** @default DEFAULT_SOFT_CLOSE */
  readonly softClose?: SoftClose;
}

/** The auction's status at a moment: scheduled → open → closed, judged from the server's time, never a timer. */
export type AuctionStatus = 'scheduled' | 'open' | 'closed';

/** The leading bid: who leads, with which maximum (hidden from everyone else), since when. */
export interface Leader {
  readonly bidderId: string;
  /** The leader's maximum (proxy) bid, in cents: the most the auction may raise the price to for them. */
  readonly maxCents: number;
  /** The client's id for the bid that set this maximum. */
  readonly bidId: string;
  /** When the server received it. */
  readonly at: number;
}

/** Everything bidding has decided about one auction. */
export interface AuctionState {
  readonly terms: AuctionTerms;
  /** +1 on every change (an accepted bid, the close): the fence every conditional write checks. */
  readonly version: number;
  /** The status last recorded; `closed` once recorded stays so. Read the live one with {@link statusAt}. */
  readonly status: AuctionStatus;
  /** The current price in cents: what the leader pays if the auction closed now. The start price before any bid. */
  readonly priceCents: number;
  /** Absent until the first accepted bid. */
  readonly leader?: Leader;
  /** Accepted bids so far. */
  readonly bidCount: number;
  /** The close as it stands: the terms' `endsAt`, moved later by soft close. */
  readonly endsAt: number;
}

/** The state of a fresh auction with no bids. */
export function openingState(terms: AuctionTerms): AuctionState {
  return {
    terms,
    version: 0,
    status: 'scheduled',
    priceCents: terms.startPriceCents,
    bidCount: 0,
    endsAt: terms.endsAt,
  };
}

/**
 * The status at `now` (the server's receipt time): closed once `now` reaches `endsAt` — the conditional transition a
 * timer may ask for but never decides — or once a close was recorded; scheduled before `startsAt`; open between.
 */
export function statusAt(state: AuctionState, now: number): AuctionStatus {
  if (state.status === 'closed' || now >= state.endsAt) return 'closed';
  return now < state.terms.startsAt ? 'scheduled' : 'open';
}

/** Whether the reserve is met: no reserve, or the price has reached it. */
export function reserveMet(state: AuctionState): boolean {
  return state.terms.reserveCents === undefined || state.priceCents >= state.terms.reserveCents;
}

/** The soft close the auction runs with. */
export const softCloseOf = (terms: AuctionTerms): SoftClose => terms.softClose ?? DEFAULT_SOFT_CLOSE;
