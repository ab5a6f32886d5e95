import type { AuctionState, Bid, BidAccepted } from '@twohop/auction/domain';
import type { NoticeKind } from '../client/wire.js';
import type { AuctionMetrics } from './auctionMetrics.js';
import type { LotFeed } from './LotFeed.js';
import { bidEntry } from './lotView.js';
import type { UserNotices } from './UserNotices.js';

/**
 * What follows a decision of the store, told by the {@link AuctionHouse} that asked for it. On one node (the embedded
 * mode) that is all there is to tell: {@link LocalAnnouncer} publishes the streams and the notices itself. On several
 * nodes the store's scripts write the same into Redis and every node follows it (cluster/LotFollower.ts): no
 * announcer.
 */
export interface Announcer {
  /** A lot was created (or found), at the store's time `now`. */
  opened(state: AuctionState, now: number): void;
  /** A bid was accepted (never a retry's answer): `state` after it, `displaced` who lost the lead. */
  accepted(bid: Bid, outcome: BidAccepted, state: AuctionState, displaced: string | undefined): void;
  /** This process's request recorded the lot's close. */
  closed(state: AuctionState): void;
}

/**
 * The embedded mode's {@link Announcer}: the lot's fields on `auction:<id>` and the lot list, the bid on `bids:<id>`,
 * "winning" / "outbid" to the bidder and "outbid" to whom it displaced, and at the close "won" / "lost" to everyone
 * who bid on the lot (kept here, per lot, until then).
 */
export class LocalAnnouncer implements Announcer {
  /** Who bid on each lot (they hear "won" or "lost" at the close). */
  readonly #bidders = new Map<string, Set<string>>();

  constructor(
    readonly feed: LotFeed,
    readonly notices: UserNotices,
    readonly metrics: AuctionMetrics,
    /** The wall clock of notices (ms since the epoch). */
    readonly now: () => number,
    /** Hears every lot closed, once its notices are out (the simulation schedules the next lot). */
    readonly onClosed: (state: AuctionState) => void = () => {},
  ) {}

  opened(state: AuctionState, now: number): void {
    this.feed.show(state, now);
  }

  accepted(bid: Bid, outcome: BidAccepted, state: AuctionState, displaced: string | undefined): void {
    this.feed.show(state, outcome.receivedAt);
    this.feed.record(bid.auctionId, bidEntry(outcome, state, this.feed.alias));
    const bidders = this.#bidders.get(bid.auctionId) ?? new Set<string>();
    this.#bidders.set(bid.auctionId, bidders);
    bidders.add(bid.bidderId);
    // The bidder hears where they stand (every tab of theirs); whoever lost the lead hears "outbid".
    this.#notify(bid.bidderId, outcome.leading ? 'winning' : 'outbid', state);
    if (displaced !== undefined) this.#notify(displaced, 'outbid', state);
  }

  closed(state: AuctionState): void {
    this.feed.show(state, state.endsAt);
    const winner = state.leader?.bidderId;
    const sold = winner !== undefined && this.feed.view(state.terms.id)?.reserveMet === true;
    for (const bidder of this.#bidders.get(state.terms.id) ?? []) {
      this.#notify(bidder, sold && bidder === winner ? 'won' : 'lost', state, bidder === winner && !sold);
    }
    this.#bidders.delete(state.terms.id);
    this.onClosed(state);
  }

  #notify(userId: string, kind: NoticeKind, state: AuctionState, reserveNotMet = false): void {
    this.metrics.notices.inc({ kind });
    this.notices.add(userId, {
      kind,
      auction: state.terms.id,
      title: state.terms.title,
      priceCents: state.priceCents,
      at: this.now(),
      ...(reserveNotMet ? { reserveNotMet } : {}),
    });
  }
}
