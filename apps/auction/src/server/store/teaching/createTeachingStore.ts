import { Redis } from 'ioredis';
import type { Bid, BidStore } from '../../../domain/index.js';
import { redisKeys } from '../redisKeys.js';
import { LeaseLock } from './LeaseLock.js';
import { memoryCell, redisCell } from './StateCell.js';
import { TeachingBidStore } from './TeachingBidStore.js';

/** The teaching variants: how acceptance goes wrong without atomicity, and what fencing alone repairs. */
export const TEACHING_VARIANTS = [
  'naive (in-process, await between read and write)',
  'naive+fencing (in-process, write only over the version read)',
  'naive (Redis GET, then SET)',
  'naive+fencing (Redis GET, then compare-and-set)',
  'lease-lock (Redis SET NX PX, holder paused past its lease)',
  'lease-lock+fencing (the same, writes compare-and-set)',
] as const;

/** One of {@link TEACHING_VARIANTS}. */
export type TeachingVariant = (typeof TEACHING_VARIANTS)[number];

/** Options for {@link createTeachingStore}. */
export interface TeachingStoreOptions {
  /** For the Redis variants. */
  readonly redisUrl?: string;
  /** @default 'teach:' */
  readonly keyPrefix?: string;
  /** The receipt clock. @default Date.now */
  readonly now?: () => number;
  /** The lease of the lock variants. @default 20 */
  readonly leaseMs?: number;
  /** Which lock holders stall past their lease, and how long (the lock variants). @default none */
  readonly pauseMs?: (bid: Bid) => number;
}

/** A store of the named teaching variant. Scenarios and tests only: the app's configuration offers none of them. */
export function createTeachingStore(variant: TeachingVariant, options: TeachingStoreOptions = {}): BidStore {
  const now = options.now ?? Date.now;
  const prefix = options.keyPrefix ?? 'teach:';
  const fencing = variant.includes('+fencing');
  if (variant.includes('(in-process')) return new TeachingBidStore({ cell: memoryCell(), now, fencing });
  if (options.redisUrl === undefined) throw new Error(`${variant} needs redisUrl`);
  const redis = new Redis(options.redisUrl);
  const cell = redisCell(redis, prefix);
  if (variant.startsWith('naive')) return new TeachingBidStore({ cell, now, fencing });
  return new TeachingBidStore({
    cell,
    now,
    fencing,
    lock: {
      lease: new LeaseLock(redis, { leaseMs: options.leaseMs ?? 20 }),
      key: (auctionId) => `${redisKeys(prefix, auctionId).state}:lock`,
    },
    ...(options.pauseMs === undefined ? {} : { pauseMs: options.pauseMs }),
  });
}
