/**
 * The auction's wire protocol as a client sees it (docs/apps/auction.md, "Wire protocol"): the streams' values,
 * the requests' replies and the per-user notices. The server builds these from the store's state; bidders appear as
 * a per-auction alias, never by user id.
 */

/** Stream names: the lot list, one lot's live state, one lot's accepted bids. */
export const CATALOG_STREAM = 'auctions';
export const lotStream = (auction: string): string => `auction:${auction}`;
export const bidsStream = (auction: string): string => `bids:${auction}`;

/** A lot's status as clients see it. */
export type LotStatus = 'scheduled' | 'open' | 'closed';

/**
 * One lot's live state: the keyed fields of `auction:<id>` (each delta sets the fields that changed), and each
 * value of the `auctions` catalog stream (keyed by lot id).
 */
export interface LotView {
  readonly id: string;
  readonly title: string;
  readonly priceCents: number;
  /** The lowest bid the server accepts now: the start price before any bid, else the price plus one increment. */
  readonly minBidCents: number;
  /** The leader's alias on this lot, or null before the first bid. */
  readonly leader: string | null;
  readonly bidCount: number;
  /** The close on the server's clock (ms since the epoch); soft close moves it later. */
  readonly endsAt: number;
  readonly status: LotStatus;
  /** False while a hidden reserve is above the price. */
  readonly reserveMet: boolean;
}

/** One accepted bid in `bids:<id>` (keyed `b<n>`, n the lot's bid count after it). */
export interface BidEntry {
  readonly n: number;
  /** The bidder's alias on this lot. */
  readonly bidder: string;
  /** The price after the bid (a proxy may have answered it at once: then the leader is someone else). */
  readonly priceCents: number;
  /** The leader's alias after the bid. */
  readonly leader: string;
  /** The server's receipt time. */
  readonly at: number;
  /** The bid moved the close later (soft close). */
  readonly extended: boolean;
}

/** What a per-user notice says. */
export type NoticeKind = 'winning' | 'outbid' | 'won' | 'lost';

/**
 * A notice to one user, delivered to every tab of theirs (event `notice`) and numbered per user, so a tab that
 * missed some (offline, a lost frame) fetches them with `notices {after}`. `epoch` changes when the server lost the
 * numbering (a restart): a client then starts over from 0.
 */
export interface Notice {
  readonly epoch: string;
  readonly seq: number;
  readonly kind: NoticeKind;
  readonly auction: string;
  readonly title: string;
  readonly priceCents: number;
  readonly at: number;
  /** On `lost` by the leader: the reserve was not met. */
  readonly reserveNotMet?: boolean;
}

/** `bid {auction, bidId, maxCents}` → the outcome (a retry with the same bidId gets the first one's). */
export interface BidAck {
  readonly priceCents: number;
  /** Whether the bidder leads after the bid (a higher proxy may have answered it). */
  readonly leading: boolean;
  readonly endsAt: number;
  /** The bidder's alias on this lot. */
  readonly alias: string;
}

/** `notices {after}` → the next page of the user's notices after `after`, and the newest seq. */
export interface NoticesPage {
  readonly epoch: string;
  readonly notices: readonly Notice[];
  readonly head: number;
}

/** A reply to any request: the result, or a refusal with a stable code. */
export type Reply<T> =
  | ({ readonly ok: true } & T)
  | { readonly ok: false; readonly error: { code: string; message: string; retryAfterMs?: number } };

/** The most notices one page carries. */
export const NOTICES_PAGE = 50;
