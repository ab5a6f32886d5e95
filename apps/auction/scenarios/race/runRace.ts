import { LatencyRecorder, TimeSeries } from '@twohop/metrics';
import { SeededRandom } from '@twohop/testkit';
import {
  countAnomalies,
  incrementFor,
  type AnomalyCounts,
  type AuctionState,
  type AuctionTerms,
  type AuditEntry,
  type AuditLog,
  type Bid,
  type BidStore,
} from '../../src/domain/index.js';

/** The size of one race. */
export interface RaceOptions {
  readonly seed: number;
  /** Concurrent client tasks, each placing its bids one after another. */
  readonly clients: number;
  readonly bidsPerClient: number;
  /** Auctions the clients share. */
  readonly auctions: number;
}

/** What one race produced. */
export interface RaceResult {
  readonly bids: number;
  readonly accepted: number;
  readonly anomalies: AnomalyCounts;
  /** Bid request to ack, as this process saw it. */
  readonly latency: LatencyRecorder;
  /** Acks per 20 ms from the start of the race, for the report's chart. */
  readonly acks: TimeSeries;
  readonly entries: AuditEntry[];
  readonly finals: AuctionState[];
}

/** The race's auctions: open for an hour from `now`, soft close off (the race is about acceptance, not the clock). */
export function raceAuctions(count: number, now: number): AuctionTerms[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `lot-${i + 1}`,
    title: `Lot ${i + 1}`,
    startPriceCents: 1_000,
    startsAt: now - 1_000,
    endsAt: now + 3_600_000,
    softClose: { windowMs: 0, extensionMs: 0 },
  }));
}

/** When the bids were answered: request to ack by percentile, and acks over time. */
export interface BidTimes {
  readonly latency: LatencyRecorder;
  readonly acks: TimeSeries;
}

/** Places one bid for client `index`; resolves with the lot's price as the answer showed it (when it did). */
export type PlaceBid = (index: number, bid: Bid) => Promise<number | undefined>;

/**
 * Runs `clients` concurrent bidders, each placing its bids one after another through `place`: on a seeded auction,
 * at the live price (the highest any answer has shown, as a watcher of the lot sees it) plus 1–30 increments — so
 * many bidders send equal amounts at the same instant — and one bid in ten a retry of the bid before it, same id.
 * Resolves with the request-to-ack latency of every bid, and the acks over time.
 */
export async function runBidders(
  terms: readonly AuctionTerms[],
  options: RaceOptions,
  place: PlaceBid,
): Promise<BidTimes> {
  const latency = new LatencyRecorder();
  // Fine buckets: a race lasts from a fraction of a second (the suite's size) to a few seconds.
  const acks = new TimeSeries({ bucketMs: 20 });
  const seen = new Map(terms.map((term) => [term.id, term.startPriceCents]));
  const client = async (index: number) => {
    const random = new SeededRandom(options.seed * 1_000 + index);
    for (let n = 0; n < options.bidsPerClient; n++) {
      const auctionId = random.pick(terms).id;
      const price = seen.get(auctionId)!;
      const maxCents = price + incrementFor(price) * random.int(1, 30);
      const retry = n > 0 && random.chance(0.1);
      const bid = { auctionId, bidderId: `bidder-${index}`, bidId: `b${retry ? n - 1 : n}`, maxCents };
      const sent = performance.now();
      const shown = await place(index, bid);
      latency.record(performance.now() - sent);
      acks.count();
      if (shown !== undefined) seen.set(auctionId, Math.max(seen.get(auctionId)!, shown));
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  return { latency, acks };
}

/** The oracle's verdict on a race: the log (as written, or as answered), the stores' final states, and counts. */
export function raceResult(
  terms: readonly AuctionTerms[],
  entries: AuditEntry[],
  finals: AuctionState[],
  { latency, acks }: BidTimes,
): RaceResult {
  return {
    bids: entries.filter((entry) => entry.kind === 'bid').length,
    accepted: entries.filter((entry) => entry.kind === 'bid' && entry.outcome.ok && !entry.duplicate).length,
    anomalies: countAnomalies(terms, entries, finals),
    latency,
    acks,
    entries,
    finals,
  };
}

/**
 * The race straight into `store` (already holding `terms`), from concurrent client tasks in this process. Every
 * attempt's audit line is kept in ack order — or, with `audit`, read back from the log as written — and the oracle
 * counts the anomalies.
 */
export async function runRace(
  store: BidStore,
  terms: readonly AuctionTerms[],
  options: RaceOptions,
  audit?: AuditLog,
): Promise<RaceResult> {
  const entries: AuditEntry[] = [];
  const times = await runBidders(terms, options, async (_index, bid) => {
    const result = await store.placeBid(bid);
    entries.push(result.auditEntry);
    return result.state?.priceCents;
  });
  const finals = await store.list();
  return raceResult(terms, audit === undefined ? entries : await audit.entries(), finals, times);
}

/**
 * Which lock holders stall past their lease: one bid in eight, chosen by a hash of its bidder and bid id (the same
 * bids on every run), for `pauseMs` — Kleppmann's GC pause, injected.
 */
export function gcPauses(pauseMs: number): (bid: Bid) => number {
  return (bid) => {
    let hash = 2166136261;
    for (const char of `${bid.bidderId}/${bid.bidId}`) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
    return (hash >>> 0) % 8 === 3 ? pauseMs : 0;
  };
}
