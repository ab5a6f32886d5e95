import { keyedState } from '@twohop/snapshot-delta';
import { startRedisServer, type RedisServer } from '@twohop/testkit/node';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BidEntry } from '../src/client/wire.js';
import { LotLog } from '../src/server/cluster/lotLog.js';
import { BID_HISTORY } from '../src/server/lotView.js';
import { RedisBidStore } from '../src/server/store/RedisBidStore.js';
import { redisKeys } from '../src/server/store/redisKeys.js';
import { LOT } from './bidStoreSuite.js';

let server: RedisServer;
let redis: Redis;
beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
});
afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

let prefixes = 0;
/** A lot with `bids` accepted bids in a fresh store, and its log as a node reads it. */
async function lotWithBids(bids: number) {
  const prefix = `log${++prefixes}:`;
  let time = 10_000;
  const store = new RedisBidStore({ redis: server.url, keyPrefix: prefix, now: () => time });
  await store.create(LOT);
  for (let i = 0; i < bids; i++) {
    time += 10;
    await store.placeBid({
      auctionId: LOT.id,
      bidderId: `u${i % 3}`,
      bidId: `b${i}`,
      maxCents: 2_000 + 100_000 * i,
    });
  }
  await store.close();
  const log = new LotLog(
    redis,
    redisKeys(prefix, LOT.id).bids,
    () => 'E',
    (_lot, user) => `alias-${user}`,
  );
  return log;
}

const model = keyedState<BidEntry>();

describe("a lot's log, as every node reads it", () => {
  it('replays the bids after a position of its epoch, each once and in order', async () => {
    const log = await lotWithBids(5);
    const answer = await log.catchUpBids({ epoch: 'E', seq: 2 });
    expect(answer.recovered).toBe(true);
    expect(answer.recovered && answer.deltas.map((delta) => delta.seq)).toEqual([3, 4, 5]);
    const lot = await log.catchUpLot({ epoch: 'E', seq: 2 });
    expect(lot.recovered && lot.deltas.map((delta) => delta.seq)).toEqual([3, 4, 5]);
    // At the head: a replay of nothing.
    expect(await log.catchUpBids({ epoch: 'E', seq: 5 })).toEqual({ recovered: true, deltas: [] });
  });

  it('answers a position of another epoch, or past its end, with a snapshot that a replay from any position reaches too', async () => {
    const log = await lotWithBids(BID_HISTORY + 20);
    for (const position of [undefined, { epoch: 'old', seq: 3 }, { epoch: 'E', seq: 500 }]) {
      const answer = await log.catchUpBids(position);
      expect(answer.recovered).toBe(false);
    }
    const snapshot = await log.catchUpBids(undefined);
    if (snapshot.recovered) throw new Error('a snapshot was expected');
    expect(snapshot.snapshot.seq).toBe(BID_HISTORY + 20);
    const keys = snapshot.snapshot.data.map(([key]) => key);
    expect(keys).toEqual(Array.from({ length: BID_HISTORY }, (_, i) => `b${i + 21}`));
    // The same state by replay: every bid from the first, applied in order, holds what the snapshot holds.
    const replay = await log.catchUpBids({ epoch: 'E', seq: 0 });
    if (!replay.recovered) throw new Error('a replay was expected');
    const state = model.create();
    for (const delta of replay.deltas) model.apply(state, delta.data);
    expect([...state]).toEqual(snapshot.snapshot.data);
    // And the lot's fields: the newest version's view.
    const lot = await log.catchUpLot(undefined);
    expect(lot.recovered === false && lot.snapshot.seq).toBe(BID_HISTORY + 20);
  });
});
