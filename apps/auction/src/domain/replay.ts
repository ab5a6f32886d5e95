import { openingState, type AuctionState, type AuctionTerms } from './auction.js';
import type { AuditEntry, BidAccepted, BidOutcome } from './bids.js';
import { closeAuction, placeBid } from './placeBid.js';

/** A line that changed an auction: an accepted first attempt, or a recorded close. */
export type ChangeEntry =
  | (Extract<AuditEntry, { kind: 'bid' }> & { readonly outcome: BidAccepted })
  | Extract<AuditEntry, { kind: 'close' }>;

/** One change replayed: the line, and what the rules decide for it on the replayed state. */
export interface ReplayedChange {
  readonly entry: ChangeEntry;
  /** The rules' outcome for the line's bid on the replayed state (absent for a close). */
  readonly decided?: BidOutcome;
  /** Whether the rules agree with the line exactly (same outcome, same resulting state). */
  readonly agrees: boolean;
}

/** What {@link replayAudit} rebuilt. */
export interface ReplayResult {
  /** Every auction of `terms`, rebuilt. */
  readonly states: Map<string, AuctionState>;
  /** Every change, in the order replayed, with whether the rules agree with it. */
  readonly changes: ReplayedChange[];
}

/** The version a change line records. */
export const versionOf = (entry: ChangeEntry): number =>
  entry.kind === 'close' ? entry.version : entry.outcome.version;

/** Whether a line changed its auction (retries and refusals change nothing). */
export const isChange = (entry: AuditEntry): entry is ChangeEntry =>
  entry.kind === 'close' || (!entry.duplicate && entry.outcome.ok);

/** JSON with keys sorted: equal for equal plain data, whatever order its keys were written in. */
export const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );

/**
 * Rebuilds every auction from an audit log: its changes (accepted bids and closes) replayed through the rules in the
 * order the store applied them — by version, lines of one version in the order they were logged. A store that
 * applied every bid atomically leaves a log whose replay agrees line by line and ends in the store's own state.
 */
export function replayAudit(terms: readonly AuctionTerms[], entries: readonly AuditEntry[]): ReplayResult {
  const states = new Map(terms.map((term) => [term.id, openingState(term)]));
  const ordered = entries.filter(isChange).sort((a, b) => versionOf(a) - versionOf(b));
  const changes: ReplayedChange[] = [];
  for (const entry of ordered) {
    const auctionId = entry.kind === 'close' ? entry.auctionId : entry.outcome.auctionId;
    const state = states.get(auctionId);
    if (state === undefined) {
      changes.push({ entry, agrees: false });
      continue;
    }
    if (entry.kind === 'close') {
      const decision = closeAuction(state, entry.at);
      states.set(auctionId, decision.state);
      changes.push({ entry, agrees: decision.auditEntry?.version === entry.version });
      continue;
    }
    const { bidderId, bidId, maxCents, receivedAt } = entry.outcome;
    const decision = placeBid(state, { auctionId, bidderId, bidId, maxCents }, receivedAt);
    states.set(auctionId, decision.state);
    changes.push({
      entry,
      decided: decision.outcome,
      agrees: canonical(decision.outcome) === canonical(entry.outcome),
    });
  }
  return { states, changes };
}
