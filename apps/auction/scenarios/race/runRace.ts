import { LatencyRecorder } from '@twohop/metrics';
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

/**
 * Runs `clients` concurrent bidders against `store` (already holding `terms`): each bids on a seeded auction the
 * price its last answer showed plus 1–30 increments — so many bidders send equal amounts at the same instant — and
 * retries one bid in ten with the same id. Every attempt's audit line is
 * kept in ack order; the oracle then counts the anomalies.
 */
export async function runRace(
  store: BidStore,
  terms: readonly AuctionTerms[],
  options: RaceOptions,
  /** The store's audit log: when given, the oracle reads the log as written rather than the answers collected. */
  audit?: AuditLog,
): Promise<RaceResult> {
  const latency = new LatencyRecorder();
  const entries: AuditEntry[] = [];
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
      const result = await store.placeBid(bid);
      latency.record(performance.now() - sent);
      entries.push(result.auditEntry);
      if (result.state !== undefined)
        seen.set(auctionId, Math.max(seen.get(auctionId)!, result.state.priceCents));
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  const finals = await store.list();
  if (audit !== undefined) entries.splice(0, entries.length, ...(await audit.entries()));
  return {
    bids: entries.length,
    accepted: entries.filter((entry) => entry.kind === 'bid' && entry.outcome.ok && !entry.duplicate).length,
    anomalies: countAnomalies(terms, entries, finals),
    latency,
    entries,
    finals,
  };
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
