import {
  bidKey,
  closeAuction,
  malformed,
  placeBid,
  refusal,
  type AuctionState,
  type AuctionTerms,
  type Bid,
  type BidResult,
  type BidStore,
  type CloseResult,
} from '../../../domain/index.js';
import { duplicateOf } from '../InProcessBidStore.js';
import type { LeaseLock } from './LeaseLock.js';
import type { StateCell } from './StateCell.js';

/** Options for {@link TeachingBidStore}. */
export interface TeachingBidStoreOptions {
  /** Where auctions are read and written. */
  readonly cell: StateCell;
  /** The receipt clock. */
  readonly now: () => number;
  /** Take a lease on the auction around read-decide-write (the `lease-lock` variants). */
  readonly lock?: { readonly lease: LeaseLock; readonly key: (auctionId: string) => string };
  /**
   * Write only over the version read (compare-and-set), and start again from the read when another write got there
   * first: the fence. Without it, the write overwrites whatever happened in between.
   */
  readonly fencing: boolean;
  /** How long the holder of a lease stalls before it writes, for this bid (0: none) — an injected GC pause. */
  readonly pauseMs?: (bid: Bid) => number;
}

/** How many times a fenced bid starts again before it gives up (each retry means another bid was applied). */
const MAX_ATTEMPTS = 10_000;

/**
 * The acceptance step done the way first implementations do it: read the auction, decide with the same rules
 * (`placeBid`), write the result — with awaits in between, so other bids interleave. Unfenced, two bids that read
 * the same version both write, and one is lost. For scenarios and tests only; no app configuration reaches it.
 */
export class TeachingBidStore implements BidStore {
  readonly #options: TeachingBidStoreOptions;

  constructor(options: TeachingBidStoreOptions) {
    this.#options = options;
  }

  create(terms: AuctionTerms): Promise<AuctionState> {
    return this.#options.cell.create(terms);
  }

  get(auctionId: string): Promise<AuctionState | undefined> {
    return this.#options.cell.read(auctionId);
  }

  list(): Promise<AuctionState[]> {
    return this.#options.cell.list();
  }

  async placeBid(bid: Bid): Promise<BidResult> {
    const { cell, now } = this.#options;
    const bad = malformed(bid, now());
    if (bad !== undefined)
      return { outcome: bad, duplicate: false, auditEntry: { kind: 'bid', outcome: bad, duplicate: false } };
    return this.#locked(bid.auctionId, async (): Promise<BidResult | undefined> => {
      const read = await cell.read(bid.auctionId);
      if (read === undefined) {
        const outcome = refusal(bid, now(), 'unknown_auction', `no auction ${bid.auctionId}`);
        return { outcome, duplicate: false, auditEntry: { kind: 'bid', outcome, duplicate: false } };
      }
      const original = await cell.outcome(bid.auctionId, bidKey(bid));
      if (original !== undefined) return duplicateOf(original, read);
      const decision = placeBid(read, bid, now());
      await this.#pause(bid);
      if (decision.state !== read && !(await this.#write(read, decision.state))) return undefined;
      await cell.remember(bid.auctionId, bidKey(bid), decision.outcome);
      return { ...decision, duplicate: false };
    });
  }

  async closeIfDue(auctionId: string): Promise<CloseResult> {
    return this.#locked(auctionId, async (): Promise<CloseResult | undefined> => {
      const read = await this.#options.cell.read(auctionId);
      if (read === undefined) return { closed: false };
      const decision = closeAuction(read, this.#options.now());
      if (decision.state !== read && !(await this.#write(read, decision.state))) return undefined;
      return decision;
    });
  }

  async now(): Promise<number> {
    return this.#options.now();
  }

  close(): Promise<void> {
    return this.#options.cell.close();
  }

  /** Runs `step` under the lease (when the variant takes one), again while a fenced write was refused. */
  async #locked<T>(auctionId: string, step: () => Promise<T | undefined>): Promise<T> {
    const { lock } = this.#options;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const token = lock === undefined ? undefined : await lock.lease.acquire(lock.key(auctionId));
      try {
        const result = await step();
        if (result !== undefined) return result;
      } finally {
        if (token !== undefined) await lock!.lease.release(lock!.key(auctionId), token);
      }
    }
    throw new Error(`auction ${auctionId}: no write landed after ${MAX_ATTEMPTS} attempts`);
  }

  /** The write: a plain overwrite, or with fencing a compare-and-set over the version read (false: start again). */
  async #write(read: AuctionState, next: AuctionState): Promise<boolean> {
    if (!this.#options.fencing) {
      await this.#options.cell.write(next);
      return true;
    }
    return this.#options.cell.writeIf(read.version, next);
  }

  async #pause(bid: Bid): Promise<void> {
    const ms = this.#options.pauseMs?.(bid) ?? 0;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
}
