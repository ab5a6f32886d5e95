/**
 * Where the Redis store keeps an auction. Every key of one auction carries the hash tag `{id}`, so Redis Cluster
 * places them on one shard and the bid script (which touches all three) runs there; the catalog is the one key
 * shared by every auction.
 */
export interface RedisKeys {
  /** The auction's state as JSON (the domain's `AuctionState`). */
  readonly state: string;
  /** Hash: bid key → the outcome JSON of every bid decided on the auction (idempotency). */
  readonly outcomes: string;
  /** Stream: every accepted bid, its entry id the auction's version after it. */
  readonly bids: string;
}

/** The keys of auction `id` under `prefix`. */
export const redisKeys = (prefix: string, id: string): RedisKeys => ({
  state: `${prefix}{${id}}:state`,
  outcomes: `${prefix}{${id}}:outcomes`,
  bids: `${prefix}{${id}}:bids`,
});

/** The set of every auction id under `prefix`. */
export const catalogKey = (prefix: string): string => `${prefix}catalog`;
