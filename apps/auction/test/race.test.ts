import { testSeed } from '@twohop/testkit';
import { startRedisServer, type RedisServer } from '@twohop/testkit/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totalAnomalies, type BidStore } from '../src/domain/index.js';
import { InProcessBidStore } from '../src/server/store/InProcessBidStore.js';
import { RedisBidStore } from '../src/server/store/RedisBidStore.js';
import {
  createTeachingStore,
  type TeachingVariant,
} from '../src/server/store/teaching/createTeachingStore.js';
import { gcPauses, raceAuctions, runRace } from '../scenarios/race/runRace.js';

let redis: RedisServer;
let prefixes = 0;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => redis?.stop());

const seed = testSeed('auction race', 29);
const size = { seed, clients: 200, bidsPerClient: 4, auctions: 2 };
const LEASE_MS = 15;

/** Runs the race on a fresh store; resolves with the oracle's anomaly counts. */
async function race(open: () => BidStore) {
  const store = open();
  const terms = raceAuctions(size.auctions, Date.now());
  for (const auction of terms) await store.create(auction);
  try {
    return await runRace(store, terms, size);
  } finally {
    await store.close();
  }
}
const teaching = (variant: TeachingVariant) => () =>
  createTeachingStore(variant, {
    redisUrl: redis.url,
    keyPrefix: `race${++prefixes}:`,
    leaseMs: LEASE_MS,
    // One lock holder in eight stalls for three leases before it writes: Kleppmann's GC pause.
    pauseMs: gcPauses(LEASE_MS * 3),
  });

describe('the race: 200 concurrent bidders, equal amounts at one instant, through each store', () => {
  it.each<TeachingVariant>([
    'naive (in-process, await between read and write)',
    'naive (Redis GET, then SET)',
    'lease-lock (Redis SET NX PX, holder paused past its lease)',
  ])('the oracle finds lost updates and double leaders in %s', async (variant) => {
    const { anomalies } = await race(teaching(variant));
    console.log(variant, anomalies);
    expect(anomalies.lostUpdates).toBeGreaterThan(0);
    expect(anomalies.doubleLeaders + anomalies.belowIncrement + anomalies.priceDecreases).toBeGreaterThan(0);
  });

  it.each<[string, () => BidStore]>([
    ['naive+fencing in-process', teaching('naive+fencing (in-process, write only over the version read)')],
    ['naive+fencing over Redis', teaching('naive+fencing (Redis GET, then compare-and-set)')],
    ['lease-lock+fencing', teaching('lease-lock+fencing (the same, writes compare-and-set)')],
    ['the in-process store', () => new InProcessBidStore()],
    ['the Redis store', () => new RedisBidStore({ redis: redis.url, keyPrefix: `race${++prefixes}:` })],
  ])('the oracle finds none in %s', async (_name, open) => {
    const result = await race(open);
    // A real race: many bids accepted, most refused as too low by the time they arrived.
    expect(result.accepted).toBeGreaterThan(30);
    expect(result.anomalies).toSatisfy((counts) => totalAnomalies(counts) === 0);
  });
});
