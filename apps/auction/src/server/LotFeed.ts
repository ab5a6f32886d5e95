import type { AuctionState } from '@twohop/auction/domain';
import { StreamCatalog } from '@twohop/server';
import { keyedState, StreamPublisher, type KeyedChange, type KeyedSnapshot } from '@twohop/snapshot-delta';
import { bidsStream, CATALOG_STREAM, lotStream, type BidEntry, type LotView } from '../client/wire.js';
import { bidChanges, lotChanges, lotView, type Alias, type LotField } from './lotView.js';

type Publisher<V> = StreamPublisher<Map<string, V>, readonly KeyedChange<V>[], KeyedSnapshot<V>>;

/** A keyed stream published by this process. */
export const publisher = <V>(stream: string, history: number, now: () => number): Publisher<V> =>
  new StreamPublisher({ stream, model: keyedState<V>(), historyCapacity: history, timestamps: now });

/**
 * The auction's streams, published from the store's states: `auctions` (the lot list, one key per lot), one
 * `auction:<id>` per lot (its fields as keys, a delta setting only those that changed) and one `bids:<id>` per lot
 * (every accepted bid, never conflated). Bidders appear only as their alias on the lot. Each delta carries the
 * server's time (`ts`), so a client can measure bid-to-screen latency.
 */
export class LotFeed {
  readonly catalog = new StreamCatalog();
  readonly lots: Publisher<LotView>;
  readonly #lot = new Map<string, Publisher<LotField>>();
  readonly #bids = new Map<string, Publisher<BidEntry>>();
  readonly #views = new Map<string, LotView>();

  constructor(
    /** A user's alias on a lot. */
    readonly alias: Alias,
    /** The wall clock that stamps each delta (`ts`). */
    readonly now: () => number = Date.now,
  ) {
    this.lots = publisher(CATALOG_STREAM, 1024, now);
    this.catalog.add(this.lots);
  }

  /** The lot as clients see it now, or undefined for a lot the feed has not shown. */
  view(auction: string): LotView | undefined {
    return this.#views.get(auction);
  }

  /** Every lot shown, by id. */
  get views(): ReadonlyMap<string, LotView> {
    return this.#views;
  }

  /** The stream publisher of one lot (`auction:<id>`). */
  lot(auction: string): Publisher<LotField> | undefined {
    return this.#lot.get(auction);
  }

  /** The accepted bids of one lot (`bids:<id>`). */
  bids(auction: string): Publisher<BidEntry> | undefined {
    return this.#bids.get(auction);
  }

  /** Publishes `state` (at the store's time `now`): the fields that changed, and the lot's entry in the list. */
  show(state: AuctionState, now: number): LotView {
    const id = state.terms.id;
    const view = lotView(state, now, this.alias);
    const before = this.#views.get(id);
    let lot = this.#lot.get(id);
    if (lot === undefined) {
      lot = publisher<LotField>(lotStream(id), 256, this.now);
      this.#lot.set(id, lot);
      this.catalog.add(lot);
      const bids = publisher<BidEntry>(bidsStream(id), 1024, this.now);
      this.#bids.set(id, bids);
      // Every accepted bid matters to the history: never merged, a subscriber too far behind resyncs.
      this.catalog.add(bids, { delivery: 'reliable' });
    }
    const changes = lotChanges(before, view);
    if (changes.length === 0) return view;
    this.#views.set(id, view);
    lot.publish(changes);
    this.lots.publish([{ op: 'set', key: id, value: view }]);
    return view;
  }

  /** Appends one accepted bid to the lot's history (the oldest beyond `BID_HISTORY` fall off as removals). */
  record(auction: string, entry: BidEntry): void {
    this.#bids.get(auction)?.publish(bidChanges(entry));
  }

  /** Takes a closed lot off the list and stops offering its streams (subscribers keep what they have). */
  retire(auction: string): void {
    if (!this.#views.delete(auction)) return;
    this.lots.publish([{ op: 'remove', key: auction }]);
    this.catalog.remove(lotStream(auction));
    this.catalog.remove(bidsStream(auction));
    this.#lot.delete(auction);
    this.#bids.delete(auction);
  }
}
