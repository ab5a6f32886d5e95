import type { AuctionState, AuctionTerms, BidStore, SoftClose } from '@twohop/auction/domain';
import type { Clock, TimerHandle } from '@twohop/sequence';
import type { AuctionHouse } from './AuctionHouse.js';
import type { LotViews } from './lotView.js';

/** Options for the simulated bidders. */
export interface SimulationOptions {
  /** Uniform [0, 1): a seeded source makes a run repeatable. @default Math.random */
  random?: () => number;
  /** Lots kept open at once. @default 4 */
  lots?: number;
  /** Simulated bidders. @default 12 */
  bidders?: number;
  /** A look at every lot this often. @default 1000 */
  tickMs?: number;
  /** A new lot runs this long, give or take half. @default 180000 */
  lotMs?: number;
  /** The soft close of simulated lots (short, so a visitor sees extensions). @default 20 s window, 20 s extension */
  softClose?: SoftClose;
  /** A closed lot stays in the list this long before it is retired. @default 60000 */
  keepClosedMs?: number;
}

const THINGS = [
  'Brass ship chronometer',
  'Leica M3 with Summicron 50',
  'Eames lounge chair, 1971',
  'Hand-drawn map of Lisbon, 1780',
  'Omega Speedmaster, 1969',
  'Art deco table lamp',
  'First edition, The Hobbit',
  'Olivetti Valentine typewriter',
  'Danish teak sideboard',
  'Signed Miles Davis LP',
  'Japanese woodblock print',
  'Vintage Gibson J-45',
];

/**
 * Simulated bidders that keep a handful of lots alive while the app runs: every tick each open lot may get a bid
 * from one of them (more often in its closing window, where they snipe), each bidder with a price in mind past which
 * it stops, and a new lot opens as one closes. Their bids go through the same {@link AuctionHouse} path as users'
 * (store, audit log, streams, notices). Seeded through `random`; off in tests unless a test asks.
 */
export class BidderSimulation {
  readonly #options: Required<SimulationOptions>;
  readonly #values = new Map<string, number>();
  /** The terms of each lot it keeps open (to open it again where the store lost it). */
  readonly #terms = new Map<string, AuctionTerms>();
  #timer: TimerHandle | undefined;
  #next = 1;
  #bidSeq = 0;
  #stopped = false;

  constructor(
    readonly house: AuctionHouse,
    readonly store: BidStore,
    readonly feed: LotViews,
    readonly clock: Clock,
    options: SimulationOptions = {},
  ) {
    this.#options = {
      random: options.random ?? Math.random,
      lots: options.lots ?? 4,
      bidders: options.bidders ?? 12,
      tickMs: options.tickMs ?? 1000,
      lotMs: options.lotMs ?? 180_000,
      softClose: options.softClose ?? { windowMs: 20_000, extensionMs: 20_000 },
      keepClosedMs: options.keepClosedMs ?? 60_000,
    };
  }

  /** Opens the first lots (closing at staggered times) and starts bidding. */
  async start(): Promise<void> {
    // After a restart on a persistent store: its open lots are bid on again, and lot numbers go on from its count.
    const held = await this.store.list();
    this.#next = held.length + 1;
    for (const state of held) {
      if (state.status !== 'closed') {
        this.#values.set(state.terms.id, state.priceCents * 3);
        this.#terms.set(state.terms.id, state.terms);
      }
    }
    for (let i = this.#values.size; i < this.#options.lots; i++)
      await this.#openLot((i + 1) / this.#options.lots);
    this.#schedule();
  }

  /** Hears a closed lot: retires it after a while, and opens another in its place. */
  closed(state: AuctionState): void {
    if (this.#stopped || !this.#values.has(state.terms.id)) return;
    this.#values.delete(state.terms.id);
    this.#terms.delete(state.terms.id);
    this.clock.setTimeout(() => this.feed.retire(state.terms.id), this.#options.keepClosedMs);
    void this.#openLot(1);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
  }

  /** One look at every open lot: maybe a bid on each. */
  async tick(): Promise<void> {
    const random = this.#options.random;
    // A lot the store no longer has (a Redis restarted without its data) is opened again, as it began.
    for (const [id, terms] of this.#terms)
      if ((await this.store.get(id)) === undefined) await this.house.open(terms);
    const now = await this.store.now();
    for (const [id, value] of this.#values) {
      const lot = this.feed.view(id);
      if (lot === undefined || lot.status !== 'open') continue;
      const closing = lot.endsAt - now < this.#options.softClose.windowMs;
      if (random() > (closing ? 0.35 : 0.12) || lot.minBidCents > value) continue;
      const bidder = `sim-${1 + Math.floor(random() * this.#options.bidders)}`;
      // Most bid the minimum; some put in a maximum above it and let the proxy bid for them.
      const headroom = random() < 0.3 ? 100 * Math.floor((random() * (value - lot.minBidCents)) / 100) : 0;
      await this.house.bid(
        {
          auctionId: id,
          bidderId: bidder,
          bidId: `s${++this.#bidSeq}`,
          maxCents: lot.minBidCents + headroom,
        },
        'simulated',
      );
    }
  }

  async #openLot(stagger: number): Promise<void> {
    if (this.#stopped) return;
    const random = this.#options.random;
    const n = this.#next++;
    const now = await this.store.now();
    const startPriceCents = 100 * (5 + Math.floor(random() * 200));
    const terms: AuctionTerms = {
      id: `lot-${n}`,
      title: THINGS[Math.floor(random() * THINGS.length)] as string,
      startPriceCents,
      ...(random() < 0.3 ? { reserveCents: startPriceCents * 3 } : {}),
      startsAt: now,
      endsAt: now + Math.round(this.#options.lotMs * stagger * (0.5 + random())),
      softClose: this.#options.softClose,
    };
    // What the room will pay: between two and ten times the start.
    this.#values.set(terms.id, startPriceCents * (2 + Math.floor(random() * 8)));
    this.#terms.set(terms.id, terms);
    await this.house.open(terms);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.clock.setTimeout(() => {
      void this.tick().finally(() => this.#schedule());
    }, this.#options.tickMs);
  }
}
