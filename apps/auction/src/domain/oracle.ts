import { canonical, isChange, replayAudit, versionOf } from './replay.js';
import type { AuctionState, AuctionTerms } from './auction.js';
import type { AuditEntry } from './bids.js';

/** Anomalies found in one audit log: each is something a correct store never does. */
export interface AnomalyCounts {
  /** Bidders told "you lead" at a version at which another bidder was told the same (one per extra leader). */
  doubleLeaders: number;
  /** Accepted bids whose write another write overwrote: accepted bids beyond the distinct versions they claim. */
  lostUpdates: number;
  /** Accepted bids the rules refuse as too low on the replayed state (below the price plus one increment). */
  belowIncrement: number;
  /** Accepted bids that left a lower price than the bid applied before them. */
  priceDecreases: number;
  /** Accepted bids received at or after the close. */
  acceptedAfterClose: number;
  /** Auctions whose state in the store differs from the replay of its log. */
  stateMismatches: number;
}

/** The total of every kind of anomaly. */
export const totalAnomalies = (counts: AnomalyCounts): number =>
  Object.values(counts).reduce((sum, count) => sum + count, 0);

/**
 * The oracle: replays an audit log through the rules (in the store's claimed order, by version) and counts what a
 * correct store never produces. `finals`, the stores' own final states, adds the comparison with the replay.
 */
export function countAnomalies(
  terms: readonly AuctionTerms[],
  entries: readonly AuditEntry[],
  finals: readonly AuctionState[] = [],
): AnomalyCounts {
  const counts: AnomalyCounts = {
    doubleLeaders: 0,
    lostUpdates: 0,
    belowIncrement: 0,
    priceDecreases: 0,
    acceptedAfterClose: 0,
    stateMismatches: 0,
  };
  const leadersAt = new Map<string, Set<string>>();
  const lastPrice = new Map<string, number>();
  const { states, changes } = replayAudit(terms, entries);
  for (const { entry, decided } of changes) {
    if (entry.kind === 'close') continue;
    const { outcome } = entry;
    const at = `${outcome.auctionId}@${versionOf(entry)}`;
    const leaders = leadersAt.get(at) ?? new Set<string>();
    if (leaders.size > 0 && outcome.leading && !leaders.has(outcome.bidderId)) counts.doubleLeaders += 1;
    if (outcome.leading) leaders.add(outcome.bidderId);
    leadersAt.set(at, leaders);
    if (outcome.priceCents < (lastPrice.get(outcome.auctionId) ?? 0)) counts.priceDecreases += 1;
    lastPrice.set(outcome.auctionId, outcome.priceCents);
    if (decided?.ok === false && decided.code === 'bid_too_low') counts.belowIncrement += 1;
    if (decided?.ok === false && decided.code === 'auction_closed') counts.acceptedAfterClose += 1;
  }
  const accepted = entries.filter(isChange).filter((entry) => entry.kind === 'bid');
  const versions = new Set(accepted.map((entry) => `${entry.outcome.auctionId}@${versionOf(entry)}`));
  counts.lostUpdates = accepted.length - versions.size;
  for (const final of finals) {
    const replayed = states.get(final.terms.id);
    if (replayed === undefined || canonical(replayed) !== canonical(final)) counts.stateMismatches += 1;
  }
  return counts;
}
