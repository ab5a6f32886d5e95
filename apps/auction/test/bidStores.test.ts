import { startRedisServer, type RedisServer } from '@twohop/testkit/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessBidStore } from '../src/server/store/InProcessBidStore.js';
import { RedisBidStore } from '../src/server/store/RedisBidStore.js';
import { bidStoreSuite, LOT } from './bidStoreSuite.js';

let redis: RedisServer;
let prefixes = 0;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => redis?.stop());

bidStoreSuite('InProcessBidStore', async (now) => new InProcessBidStore({ now }));
// A fresh key prefix per test: one redis-server, no test sees another's auctions.
bidStoreSuite(
  'RedisBidStore',
  async (now) => new RedisBidStore({ redis: redis.url, keyPrefix: `t${++prefixes}:`, now }),
);

describe('RedisBidStore without a test clock', () => {
  it('takes every receipt time from Redis TIME, the one clock every node shares', async () => {
    const store = new RedisBidStore({ redis: redis.url, keyPrefix: 'time:' });
    const redisNow = await store.now();
    await store.create({ ...LOT, startsAt: redisNow - 1_000, endsAt: redisNow + 60_000 });
    const { outcome } = await store.placeBid({
      auctionId: LOT.id,
      bidderId: 'ann',
      bidId: 'x',
      maxCents: 2_000,
    });
    const after = await store.now();
    expect(outcome.receivedAt).toBeGreaterThanOrEqual(redisNow);
    expect(outcome.receivedAt).toBeLessThanOrEqual(after);
    await store.close();
  });
});
