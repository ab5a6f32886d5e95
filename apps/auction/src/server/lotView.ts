import {
  minimumBid,
  reserveMet,
  statusAt,
  type AuctionState,
  type BidAccepted,
} from '@twohop/auction/domain';
import type { KeyedChange } from '@twohop/snapshot-delta';
import type { BidEntry, LotView } from '../client/wire.js';

/** A user's alias on a lot, as watchers see them. */
export type Alias = (auction: string, userId: string) => string;

/** One field of a lot's view, as `auction:<id>` carries it. */
export type LotField = LotView[keyof LotView];

/** The accepted bids a `bids:<id>` snapshot holds: the newest this many. */
export const BID_HISTORY = 100;

/** What the lot list and a lot's stream show of `state` at the store's time `now`. */
export function lotView(state: AuctionState, now: number, alias: Alias): LotView {
  const id = state.terms.id;
  return {
    id,
    title: state.terms.title,
    priceCents: state.priceCents,
    minBidCents: minimumBid(state),
    leader: state.leader === undefined ? null : alias(id, state.leader.bidderId),
    bidCount: state.bidCount,
    endsAt: state.endsAt,
    status: statusAt(state, now),
    reserveMet: reserveMet(state),
  };
}

/** The keyed changes that take a lot's stream from `before` (none: nothing shown yet) to `view`. */
export function lotChanges(before: LotView | undefined, view: LotView): KeyedChange<LotField>[] {
  const changes: KeyedChange<LotField>[] = [];
  for (const key of Object.keys(view) as (keyof LotView)[]) {
    if (before === undefined || before[key] !== view[key]) changes.push({ op: 'set', key, value: view[key] });
  }
  return changes;
}

/** One accepted bid as `bids:<id>` shows it: `outcome` (accepted) and the lot's `state` after it. */
export function bidEntry(outcome: BidAccepted, state: AuctionState, alias: Alias): BidEntry {
  const id = state.terms.id;
  return {
    n: outcome.bidCount,
    bidder: alias(id, outcome.bidderId),
    priceCents: outcome.priceCents,
    leader: state.leader === undefined ? '' : alias(id, state.leader.bidderId),
    at: outcome.receivedAt,
    extended: outcome.extended,
  };
}

/** The changes that add `entry` to a lot's bids, the one `BID_HISTORY` bids older falling off. */
export function bidChanges(entry: BidEntry): KeyedChange<BidEntry>[] {
  const changes: KeyedChange<BidEntry>[] = [{ op: 'set', key: `b${entry.n}`, value: entry }];
  const oldest = entry.n - BID_HISTORY;
  if (oldest >= 1) changes.push({ op: 'remove', key: `b${oldest}` });
  return changes;
}

/** What the simulation and the HTTP lot list read of the lots a node serves, whichever mode it runs in. */
export interface LotViews {
  /** The lot as clients see it now, or undefined for a lot not shown. */
  view(auction: string): LotView | undefined;
  /** Every lot shown, by id. */
  readonly views: ReadonlyMap<string, LotView>;
  /** Takes a closed lot off the list and stops serving its streams (on every node). */
  retire(auction: string): void;
}
