/**
 * Where the Redis store keeps the auctions. Every key of one auction carries the hash tag `{id}`; the keys shared by
 * every auction (the catalogue, the feed's epoch, the event stream and the notice heads) sit beside them. The scripts
 * touch both, so the auction runs on one Redis (or one shard), not spread over a Redis Cluster.
 */
export interface RedisKeys {
  /** The auction's state as JSON (the domain's `AuctionState`). */
  readonly state: string;
  /** Hash: bid key → the outcome JSON of every bid decided on the auction (idempotency). */
  readonly outcomes: string;
  /**
   * Stream: the lot's log, one entry per version — `0-1` its creation, `<version>-0` each accepted bid and the
   * close — each with the state after it and the store's time (`state`, `at`; a bid's outcome as `bid`).
   */
  readonly bids: string;
  /** Set: every user who bid on the auction (each hears `won` or `lost` at the close). */
  readonly bidders: string;
}

/** The keys shared by every auction under one prefix. */
export interface SharedKeys {
  /** Set: every auction id. */
  readonly catalog: string;
  /** Set: the ids taken off the lot list (their streams are no longer served). */
  readonly retired: string;
  /** String: the epoch of the lot streams and the notices; a Redis that lost it makes a new one. */
  readonly epoch: string;
  /** Stream: every change of every lot, every retirement and every notice, in the order Redis made them. */
  readonly events: string;
  /** Hash: user id → the seq of the user's newest notice. */
  readonly noticeHeads: string;
  /** The prefix of each user's notice stream (`<noticePrefix><user>}`, entry id `<seq>-0`). */
  readonly noticePrefix: string;
}

/** The keys of auction `id` under `prefix`. */
export const redisKeys = (prefix: string, id: string): RedisKeys => ({
  state: `${prefix}{${id}}:state`,
  outcomes: `${prefix}{${id}}:outcomes`,
  bids: `${prefix}{${id}}:bids`,
  bidders: `${prefix}{${id}}:bidders`,
});

/** The keys every auction under `prefix` shares. */
export const sharedKeys = (prefix: string): SharedKeys => ({
  catalog: `${prefix}catalog`,
  retired: `${prefix}retired`,
  epoch: `${prefix}epoch`,
  events: `${prefix}events`,
  noticeHeads: `${prefix}notice-heads`,
  noticePrefix: `${prefix}notices:{`,
});

/** The set of every auction id under `prefix`. */
export const catalogKey = (prefix: string): string => sharedKeys(prefix).catalog;

/** A user's notice stream. */
export const noticeKey = (prefix: string, userId: string): string =>
  `${sharedKeys(prefix).noticePrefix}${userId}}`;

/**
 * The keys every script takes, in this order (KEYS[1..8]): the auction's state, outcomes, log and bidders, then the
 * catalogue, the epoch, the event stream and the notice heads. One layout for every script keeps them readable.
 */
export function scriptKeys(prefix: string, id: string): string[] {
  const lot = redisKeys(prefix, id);
  const shared = sharedKeys(prefix);
  return [
    lot.state,
    lot.outcomes,
    lot.bids,
    lot.bidders,
    shared.catalog,
    shared.epoch,
    shared.events,
    shared.noticeHeads,
  ];
}
