import { startRedisServer, type RedisServer } from '@twohop/testkit/node';
import { afterAll, beforeAll } from 'vitest';
import { InProcessBidStore } from '../src/server/store/InProcessBidStore.js';
import { RedisBidStore } from '../src/server/store/RedisBidStore.js';
import { bidStoreSuite } from './bidStoreSuite.js';

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
