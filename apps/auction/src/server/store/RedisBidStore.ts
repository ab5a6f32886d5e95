import { randomEpochId } from '@twohop/sequence';
import { Redis } from 'ioredis';
import {
  bidKey,
  isValidId,
  malformed,
  openingState,
  refusal,
  type AuctionState,
  type AuctionTerms,
  type Bid,
  type BidOutcome,
  type BidResult,
  type BidStore,
  type CloseResult,
} from '../../domain/index.js';
import { PLACE_BID_SCRIPT } from './bidScript.js';
import { byId } from './InProcessBidStore.js';
import { CLOSE_SCRIPT, CREATE_SCRIPT } from './lotScripts.js';
import { redisKeys, scriptKeys, sharedKeys } from './redisKeys.js';

/** Options for {@link RedisBidStore}. */
export interface RedisBidStoreOptions {
  /** A `redis://` URL, or an ioredis client the store may use (and closes with itself). */
  redis: string | Redis;
  /** Prepended to every key, so several apps or tests share one Redis. @default 'auction:' */
  keyPrefix?: string;
  /**
   * Tests only: a clock that replaces Redis `TIME` as every bid's receipt time, so the two stores can be run on the
   * same instants and compared. Production leaves it unset: the time is Redis's, the same for every node.
   */
  now?: () => number;
}

interface BidScripts {
  placeBid(...args: string[]): Promise<string[]>;
  closeAuction(...args: string[]): Promise<string[]>;
  createAuction(...args: string[]): Promise<string>;
}

/**
 * The shared {@link BidStore}: every auction in Redis, every bid decided by one Lua script (src/server/store/
 * bidScript.ts) that Redis runs atomically — validation, the proxy rules and the write in one step, fenced by the
 * auction's version, with no lock to take or lose. Every node of a cluster can run it against the same Redis.
 */
export class RedisBidStore implements BidStore {
  readonly #redis: Redis & BidScripts;
  readonly #prefix: string;
  readonly #now: (() => number) | undefined;

  constructor(options: RedisBidStoreOptions) {
    const redis = typeof options.redis === 'string' ? new Redis(options.redis) : options.redis;
    // Every script takes the same keys (scriptKeys).
    redis.defineCommand('placeBid', { numberOfKeys: 8, lua: PLACE_BID_SCRIPT });
    redis.defineCommand('closeAuction', { numberOfKeys: 8, lua: CLOSE_SCRIPT });
    redis.defineCommand('createAuction', { numberOfKeys: 8, lua: CREATE_SCRIPT });
    this.#redis = redis as Redis & BidScripts;
    this.#prefix = options.keyPrefix ?? 'auction:';
    this.#now = options.now;
  }

  /** The key prefix: where a follower of this store's lots reads. */
  get prefix(): string {
    return this.#prefix;
  }

  async create(terms: AuctionTerms): Promise<AuctionState> {
    const raw = await this.#redis.createAuction(...this.#args(terms.id), JSON.stringify(openingState(terms)));
    return JSON.parse(raw) as AuctionState;
  }

  async get(auctionId: string): Promise<AuctionState | undefined> {
    const raw = await this.#redis.get(redisKeys(this.#prefix, auctionId).state);
    return raw === null ? undefined : (JSON.parse(raw) as AuctionState);
  }

  async list(): Promise<AuctionState[]> {
    const ids = await this.#redis.smembers(sharedKeys(this.#prefix).catalog);
    const states = await Promise.all(ids.map((id) => this.get(id)));
    return states.filter((state): state is AuctionState => state !== undefined).sort(byId);
  }

  async placeBid(bid: Bid): Promise<BidResult> {
    // Shape checks need no auction: made here, so the script only ever sees well-formed bids.
    const bad = malformed(bid, 0);
    if (bad !== undefined) return answer({ ...bad, receivedAt: await this.now() });
    if (!isValidId(bid.auctionId)) return answer(unknown(bid, await this.now()));
    const reply = await this.#redis.placeBid(
      ...this.#args(bid.auctionId),
      bidKey(bid),
      bid.bidderId,
      bid.bidId,
      String(bid.maxCents),
    );
    const [kind, outcome, state, displaced] = reply;
    if (kind === 'unknown') return answer(unknown(bid, await this.now()));
    const parsed = JSON.parse(outcome!) as BidOutcome;
    const after = JSON.parse(state!) as AuctionState;
    const leaderId = after.leader?.bidderId;
    const duplicate = kind === 'duplicate';
    return {
      outcome: parsed,
      duplicate,
      state: after,
      ...(displaced ? { displaced } : {}),
      auditEntry: {
        kind: 'bid',
        outcome: parsed,
        duplicate,
        ...(leaderId === undefined ? {} : { leaderId }),
      },
    };
  }

  async closeIfDue(auctionId: string): Promise<CloseResult> {
    if (!isValidId(auctionId)) return { closed: false };
    const reply = await this.#redis.closeAuction(...this.#args(auctionId));
    const [kind, raw, at] = reply;
    if (kind === 'unknown') return { closed: false };
    const state = JSON.parse(raw!) as AuctionState;
    if (kind !== 'recorded') return { closed: kind === 'closed', state };
    return {
      closed: true,
      state,
      auditEntry: { kind: 'close', auctionId, at: Number(at), version: state.version },
    };
  }

  async now(): Promise<number> {
    if (this.#now !== undefined) return this.#now();
    const [seconds, micros] = await this.#redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  async close(): Promise<void> {
    if (this.#redis.status !== 'end') await this.#redis.quit().catch(() => undefined);
  }

  /** What every script starts with: its keys, then the test clock ('' for `TIME`), an epoch, the notice prefix, the id. */
  #args(auctionId: string): string[] {
    return [
      ...scriptKeys(this.#prefix, auctionId),
      this.#now === undefined ? '' : String(this.#now()),
      randomEpochId(),
      sharedKeys(this.#prefix).noticePrefix,
      auctionId,
    ];
  }
}

const unknown = (bid: Bid, receivedAt: number) =>
  refusal(bid, receivedAt, 'unknown_auction', `no auction ${bid.auctionId}`);

/** A refusal decided before any auction was read: not stored, not a duplicate. */
const answer = (outcome: BidOutcome): BidResult => ({
  outcome,
  duplicate: false,
  auditEntry: { kind: 'bid', outcome, duplicate: false },
});
