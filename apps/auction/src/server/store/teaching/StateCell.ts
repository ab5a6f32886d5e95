import type { Redis } from 'ioredis';
import {
  openingState,
  type AuctionState,
  type AuctionTerms,
  type BidOutcome,
} from '../../../domain/index.js';
import { byId } from '../InProcessBidStore.js';
import { catalogKey, redisKeys } from '../redisKeys.js';

/**
 * Where a teaching variant keeps auctions: plain reads and writes, as a first implementation against a remote store
 * has them — a read, a write, and (for the fenced variants) a write that only lands over the version it read.
 */
export interface StateCell {
  create(terms: AuctionTerms): Promise<AuctionState>;
  read(auctionId: string): Promise<AuctionState | undefined>;
  list(): Promise<AuctionState[]>;
  /** Overwrites the auction, whatever happened since it was read (the unfenced write). */
  write(next: AuctionState): Promise<void>;
  /** Compare-and-set: writes only if the auction is still at `readVersion`; false if another write got there first. */
  writeIf(readVersion: number, next: AuctionState): Promise<boolean>;
  outcome(auctionId: string, key: string): Promise<BidOutcome | undefined>;
  remember(auctionId: string, key: string, outcome: BidOutcome): Promise<void>;
  close(): Promise<void>;
}

/** Auctions in this process, behind an `await` on every access — a remote store's round trip, made to measure. */
export function memoryCell(): StateCell {
  const states = new Map<string, AuctionState>();
  const outcomes = new Map<string, BidOutcome>();
  // One turn of the event loop per access: every other bid in flight runs in between, as over a network.
  const trip = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    async create(terms) {
      if (!states.has(terms.id)) states.set(terms.id, openingState(terms));
      return states.get(terms.id)!;
    },
    async read(auctionId) {
      await trip();
      return states.get(auctionId);
    },
    async list() {
      return [...states.values()].sort(byId);
    },
    async write(next) {
      await trip();
      states.set(next.terms.id, next);
    },
    async writeIf(readVersion, next) {
      await trip();
      if (states.get(next.terms.id)?.version !== readVersion) return false;
      states.set(next.terms.id, next);
      return true;
    },
    async outcome(auctionId, key) {
      return outcomes.get(`${auctionId}/${key}`);
    },
    async remember(auctionId, key, outcome) {
      outcomes.set(`${auctionId}/${key}`, outcome);
    },
    async close() {},
  };
}

/** Compare-and-set in one script: the fence a plain GET/SET lacks. KEYS: state. ARGV: read version, next JSON. */
const WRITE_IF = `
local raw = redis.call('GET', KEYS[1])
if not raw or cjson.decode(raw).version ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

/** Auctions in Redis under `prefix`, in the real store's key layout, read and written with plain GET and SET. */
export function redisCell(redis: Redis, prefix: string): StateCell {
  const keys = (id: string) => redisKeys(prefix, id);
  const read = async (auctionId: string) => {
    const raw = await redis.get(keys(auctionId).state);
    return raw === null ? undefined : (JSON.parse(raw) as AuctionState);
  };
  return {
    async create(terms) {
      await redis.set(keys(terms.id).state, JSON.stringify(openingState(terms)), 'NX');
      await redis.sadd(catalogKey(prefix), terms.id);
      return (await read(terms.id))!;
    },
    read,
    async list() {
      const ids = await redis.smembers(catalogKey(prefix));
      const states = await Promise.all(ids.map(read));
      return states.filter((state): state is AuctionState => state !== undefined).sort(byId);
    },
    async write(next) {
      await redis.set(keys(next.terms.id).state, JSON.stringify(next));
    },
    async writeIf(readVersion, next) {
      const written = await redis.eval(
        WRITE_IF,
        1,
        keys(next.terms.id).state,
        readVersion,
        JSON.stringify(next),
      );
      return written === 1;
    },
    async outcome(auctionId, key) {
      const raw = await redis.hget(keys(auctionId).outcomes, key);
      return raw === null ? undefined : (JSON.parse(raw) as BidOutcome);
    },
    async remember(auctionId, key, outcome) {
      await redis.hset(keys(auctionId).outcomes, key, JSON.stringify(outcome));
    },
    async close() {
      if (redis.status !== 'end') await redis.quit().catch(() => undefined);
    },
  };
}
