import type {
  AuctionState,
  AuctionTerms,
  Bid,
  BidResult,
  BidStore,
  CloseResult,
} from '@twohop/auction/domain';
import type { Clock } from '@twohop/sequence';
import type { BidEntry, NoticeKind } from '../client/wire.js';
import type { AuctionMetrics } from './auctionMetrics.js';
import { Closer } from './Closer.js';
import type { LotFeed } from './LotFeed.js';
import type { UserNotices } from './UserNotices.js';

/** What {@link AuctionHouse} works with. */
export interface AuctionHouseDeps {
  /** The store, with every attempt written to the audit log before it resolves (`auditedBidStore`). */
  readonly store: BidStore;
  readonly feed: LotFeed;
  readonly notices: UserNotices;
  readonly metrics: AuctionMetrics;
  /** Timers for the closes. */
  readonly clock: Clock;
  /** The wall clock of notices (ms since the epoch). */
  readonly now: () => number;
  /** Hears every lot that closed (the simulation schedules the next one). */
  readonly onClosed?: (state: AuctionState) => void;
}

/**
 * The auction's server-side flow, one place for users' bids and simulated ones: the store decides each bid
 * atomically and its audit line is durable before anyone hears of it (the store is audited), then the lot's streams and the users'
 * notices follow. A retry (same bid id) is answered from the store and publishes nothing. Closes are the store's
 * decision at `endsAt`; a {@link Closer} only asks at the right moment.
 */
export class AuctionHouse {
  readonly #deps: AuctionHouseDeps;
  readonly #closer: Closer;
  /** Who bid on each lot (they hear "won" or "lost" at the close). */
  readonly #bidders = new Map<string, Set<string>>();

  constructor(deps: AuctionHouseDeps) {
    this.#deps = deps;
    this.#closer = new Closer(deps.store, deps.clock, (result) => this.#closed(result));
  }

  /** Adds a lot (or finds it) and starts watching its close. */
  async open(terms: AuctionTerms): Promise<AuctionState> {
    const state = await this.#deps.store.create(terms);
    this.#deps.feed.show(state, await this.#deps.store.now());
    this.#closer.watch(state);
    return state;
  }

  /** Shows every lot the store holds (after a restart on a persistent store) and watches their closes. */
  async restore(): Promise<void> {
    const now = await this.#deps.store.now();
    for (const state of await this.#deps.store.list()) {
      this.#deps.feed.show(state, now);
      if (state.status !== 'closed') this.#closer.watch(state);
    }
  }

  /** One bid, decided, made durable and published; resolves with the store's answer. */
  async bid(bid: Bid, source: 'user' | 'simulated' = 'user'): Promise<BidResult> {
    const { store, metrics } = this.#deps;
    const stopTimer = metrics.bidSeconds.startTimer();
    // Resolves once the attempt's audit line is durable: a bid the bidder hears accepted is in the log.
    const result = await store.placeBid(bid);
    stopTimer();
    const { outcome } = result;
    metrics.bids.inc({
      outcome: result.duplicate ? 'duplicate' : outcome.ok ? 'accepted' : outcome.code,
      source,
    });
    if (!outcome.ok || result.duplicate || result.state === undefined) return result;
    const state = result.state;
    const { feed } = this.#deps;
    const view = feed.show(state, outcome.receivedAt);
    const entry: BidEntry = {
      n: outcome.bidCount,
      bidder: feed.alias(bid.auctionId, bid.bidderId),
      priceCents: outcome.priceCents,
      leader: view.leader ?? '',
      at: outcome.receivedAt,
      extended: outcome.extended,
    };
    feed.record(bid.auctionId, entry);
    const bidders = this.#bidders.get(bid.auctionId) ?? new Set<string>();
    this.#bidders.set(bid.auctionId, bidders);
    bidders.add(bid.bidderId);
    // The bidder hears where they stand (every tab of theirs); whoever lost the lead hears "outbid".
    this.#notify(bid.bidderId, outcome.leading ? 'winning' : 'outbid', state);
    if (result.displaced !== undefined) this.#notify(result.displaced, 'outbid', state);
    if (outcome.extended) this.#closer.watch(state);
    return result;
  }

  /** Stops the close timers. */
  stop(): void {
    this.#closer.stop();
  }

  #closed({ state }: CloseResult & { state: AuctionState }): void {
    const { feed, metrics } = this.#deps;
    feed.show(state, state.endsAt);
    const winner = state.leader?.bidderId;
    const sold = winner !== undefined && feed.view(state.terms.id)?.reserveMet === true;
    metrics.closed.inc({ result: winner === undefined ? 'no_bids' : sold ? 'sold' : 'reserve_not_met' });
    for (const bidder of this.#bidders.get(state.terms.id) ?? []) {
      this.#notify(bidder, sold && bidder === winner ? 'won' : 'lost', state, bidder === winner && !sold);
    }
    this.#bidders.delete(state.terms.id);
    this.#deps.onClosed?.(state);
  }

  #notify(userId: string, kind: NoticeKind, state: AuctionState, reserveNotMet = false): void {
    this.#deps.metrics.notices.inc({ kind });
    this.#deps.notices.add(userId, {
      kind,
      auction: state.terms.id,
      title: state.terms.title,
      priceCents: state.priceCents,
      at: this.#deps.now(),
      ...(reserveNotMet ? { reserveNotMet } : {}),
    });
  }
}
