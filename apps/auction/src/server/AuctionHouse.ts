import {
  reserveMet,
  type AuctionState,
  type AuctionTerms,
  type Bid,
  type BidResult,
  type BidStore,
  type CloseResult,
} from '@twohop/auction/domain';
import type { Clock } from '@twohop/sequence';
import type { AuctionMetrics } from './auctionMetrics.js';
import { Closer } from './Closer.js';
import type { Announcer } from './LocalAnnouncer.js';

/** What {@link AuctionHouse} works with. */
export interface AuctionHouseDeps {
  /** The store, with every attempt written to the audit log before it resolves (`auditedBidStore`). */
  readonly store: BidStore;
  readonly metrics: AuctionMetrics;
  /** Timers for the closes. */
  readonly clock: Clock;
  /** Tells the streams and notices what the store decided; none when the store's scripts do (several nodes). */
  readonly announcer?: Announcer;
}

/**
 * The auction's server-side flow, one place for users' bids and simulated ones: the store decides each bid
 * atomically and its audit line is durable before anyone hears of it (the store is audited), then the announcer tells
 * the lot's streams and the users' notices. A retry (same bid id) is answered from the store and announces nothing.
 * Closes are the store's decision at `endsAt`; a {@link Closer} only asks at the right moment.
 */
export class AuctionHouse {
  readonly #deps: AuctionHouseDeps;
  readonly #closer: Closer;

  constructor(deps: AuctionHouseDeps) {
    this.#deps = deps;
    this.#closer = new Closer(deps.store, deps.clock, (result) => this.#closed(result));
  }

  /** Adds a lot (or finds it) and starts watching its close. */
  async open(terms: AuctionTerms): Promise<AuctionState> {
    const state = await this.#deps.store.create(terms);
    this.#deps.announcer?.opened(state, await this.#deps.store.now());
    this.watch(state);
    return state;
  }

  /** Shows every lot the store holds (after a restart on a persistent store) and watches their closes. */
  async restore(): Promise<void> {
    const now = await this.#deps.store.now();
    for (const state of await this.#deps.store.list()) {
      this.#deps.announcer?.opened(state, now);
      this.watch(state);
    }
  }

  /** (Re)arms the close timer of a lot, as `state` says (a lot closed already needs none). */
  watch(state: AuctionState): void {
    this.#closer.watch(state);
  }

  /** One bid, decided, made durable and announced; resolves with the store's answer. */
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
    this.#deps.announcer?.accepted(bid, outcome, result.state, result.displaced);
    if (outcome.extended) this.watch(result.state);
    return result;
  }

  /** Stops the close timers. */
  stop(): void {
    this.#closer.stop();
  }

  #closed({ state }: CloseResult & { state: AuctionState }): void {
    const winner = state.leader?.bidderId;
    const sold = winner !== undefined && reserveMet(state);
    this.#deps.metrics.closed.inc({
      result: winner === undefined ? 'no_bids' : sold ? 'sold' : 'reserve_not_met',
    });
    this.#deps.announcer?.closed(state);
  }
}
