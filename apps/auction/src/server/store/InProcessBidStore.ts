import {
  bidKey,
  closeAuction,
  malformed,
  openingState,
  placeBid,
  refusal,
  replayAudit,
  type AuctionState,
  type AuditEntry,
  type AuctionTerms,
  type Bid,
  type BidOutcome,
  type BidResult,
  type BidStore,
  type CloseResult,
} from '../../domain/index.js';

/** Options for {@link InProcessBidStore}. */
export interface InProcessBidStoreOptions {
  /** The server's clock: every bid's receipt time (ms since the epoch). @default Date.now */
  now?: () => number;
}

/** One auction as the store keeps it: its state and the outcome of every bid decided on it, by {@link bidKey}. */
interface Entry {
  state: AuctionState;
  readonly outcomes: Map<string, BidOutcome>;
}

/**
 * The embedded {@link BidStore}: auctions in this process's memory. Acceptance is one synchronous step — read the
 * state, decide with `placeBid`, write the result only over the version it read — with no `await` inside it, so no
 * other bid can interleave: the event loop is the lock. (Its teaching variant `naive` puts an await in that gap.)
 */
export class InProcessBidStore implements BidStore {
  readonly #auctions = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(options: InProcessBidStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  async create(terms: AuctionTerms): Promise<AuctionState> {
    const existing = this.#auctions.get(terms.id);
    if (existing !== undefined) return existing.state;
    const entry: Entry = { state: openingState(terms), outcomes: new Map() };
    this.#auctions.set(terms.id, entry);
    return entry.state;
  }

  async get(auctionId: string): Promise<AuctionState | undefined> {
    return this.#auctions.get(auctionId)?.state;
  }

  async list(): Promise<AuctionState[]> {
    return [...this.#auctions.values()].map((entry) => entry.state).sort(byId);
  }

  async placeBid(bid: Bid): Promise<BidResult> {
    const receivedAt = this.#now();
    const bad = malformed(bid, receivedAt);
    if (bad !== undefined)
      return { outcome: bad, duplicate: false, auditEntry: { kind: 'bid', outcome: bad, duplicate: false } };
    const entry = this.#auctions.get(bid.auctionId);
    if (entry === undefined) {
      const outcome = refusal(bid, receivedAt, 'unknown_auction', `no auction ${bid.auctionId}`);
      return { outcome, duplicate: false, auditEntry: { kind: 'bid', outcome, duplicate: false } };
    }
    const key = bidKey(bid);
    const original = entry.outcomes.get(key);
    if (original !== undefined) return duplicateOf(original, entry.state);
    const read = entry.state;
    const decision = placeBid(read, bid, receivedAt);
    commit(entry, read.version, decision.state);
    entry.outcomes.set(key, decision.outcome);
    return { ...decision, duplicate: false };
  }

  async closeIfDue(auctionId: string): Promise<CloseResult> {
    const entry = this.#auctions.get(auctionId);
    if (entry === undefined) return { closed: false };
    const read = entry.state;
    const decision = closeAuction(read, this.#now());
    commit(entry, read.version, decision.state);
    return decision;
  }

  async now(): Promise<number> {
    return this.#now();
  }

  /**
   * Rebuilds the auctions created so far from their audit log (an embedded server's restart): states by replay,
   * and the outcome of every bid decided, so a retry after the restart still gets its original answer.
   */
  restore(entries: readonly AuditEntry[]): void {
    const terms = [...this.#auctions.values()].map((entry) => entry.state.terms);
    for (const [id, state] of replayAudit(terms, entries).states) this.#auctions.get(id)!.state = state;
    for (const line of entries) {
      if (line.kind !== 'bid' || line.duplicate) continue;
      this.#auctions.get(line.outcome.auctionId)?.outcomes.set(bidKey(line.outcome), line.outcome);
    }
  }

  async close(): Promise<void> {}
}

/** The answer to a retry: the original outcome, the auction as it stands, and an audit line marked `duplicate`. */
export function duplicateOf(outcome: BidOutcome, state: AuctionState): BidResult {
  const leaderId = state.leader?.bidderId;
  return {
    outcome,
    duplicate: true,
    state,
    auditEntry: { kind: 'bid', outcome, duplicate: true, ...(leaderId === undefined ? {} : { leaderId }) },
  };
}

/**
 * Writes `next` over the auction only if it is still at the version the decision read — the fence. Here it cannot
 * fail (nothing runs between the read and this write); it states the rule the Redis script and the fenced teaching
 * variants keep, and throws if a change to this file ever broke it.
 */
function commit(entry: Entry, readVersion: number, next: AuctionState): void {
  if (entry.state.version !== readVersion)
    throw new Error(`version moved from ${readVersion} to ${entry.state.version} inside an atomic step`);
  entry.state = next;
}

export const byId = (a: AuctionState, b: AuctionState): number =>
  a.terms.id < b.terms.id ? -1 : a.terms.id > b.terms.id ? 1 : 0;
