import { busConformance, failedChecks, leakyTail, type OpenBuses } from '@twohop/bus/conformance';
import { startRedisServer, type RedisServer } from '@twohop/testkit/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisBus } from '../src/index.js';

let redis: RedisServer;
let store = 0;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis.stop());

/** Handles onto a store no other check uses: one Redis, a fresh key prefix each time. */
const openRedis: OpenBuses = async (count, { logCapacity }) => {
  const prefix = `conformance:${++store}:`;
  return Promise.all(Array.from({ length: count }, () => redisBus({ url: redis.url, prefix, logCapacity })));
};

busConformance('redisBus', openRedis);

describe('the bus conformance suite on Redis', () => {
  it('fails a Redis bus whose tail misses an entry (so its pass means something here too)', async () => {
    expect(await failedChecks(leakyTail(openRedis))).toContain(
      'tails live entries in order, once each, with no gap between a read and the tail',
    );
  });
});
