import { seededProperty } from '@twohop/testkit';
import { startRedisServer, type RedisServer } from '@twohop/testkit/node';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuctionTerms, BidStore } from '../src/domain/index.js';
import { InProcessBidStore } from '../src/server/store/InProcessBidStore.js';
import { RedisBidStore } from '../src/server/store/RedisBidStore.js';

const seeded = seededProperty('auction stores equal', 0xb1d5);
let redis: RedisServer;
let prefixes = 0;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => redis?.stop());

const AUCTIONS: AuctionTerms[] = [
  { id: 'a', title: 'A', startPriceCents: 100, startsAt: 5_000, endsAt: 200_000 },
  {
    id: 'b',
    title: 'B',
    startPriceCents: 2_400,
    reserveCents: 9_000,
    startsAt: 0,
    endsAt: 120_000,
    softClose: { windowMs: 30_000, extensionMs: 45_000 },
  },
];

/** One request: a bid (sometimes a retry of an earlier bid id, an unknown auction, a malformed amount) or a close. */
const request = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('bid' as const),
      auctionId: fc.constantFrom('a', 'a', 'b', 'b', 'zz'),
      bidderId: fc.constantFrom('ann', 'bob', 'cem'),
      bidId: fc.integer({ min: 0, max: 30 }).map(String),
      maxCents: fc.oneof(
        fc.integer({ min: 1, max: 40 }).map((n) => n * 250),
        fc.integer({ min: 1, max: 30_000 }),
        fc.constantFrom(0, 2.5, 1e13),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('close' as const), auctionId: fc.constantFrom('a', 'b') }),
  },
);
/** Requests fired together at one instant (several bids of equal amounts at the same time included). */
const burst = fc.record({
  gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30_000 })),
  requests: fc.array(request, { minLength: 1, maxLength: 6 }),
});

/** One generated request. */
type Request =
  | { kind: 'bid'; auctionId: string; bidderId: string; bidId: string; maxCents: number }
  | { kind: 'close'; auctionId: string };

async function drive(
  store: BidStore,
  bursts: ReadonlyArray<{ gap: number; requests: Request[] }>,
  clock: { t: number },
) {
  for (const terms of AUCTIONS) await store.create(terms);
  const answers: unknown[] = [];
  for (const { gap, requests } of bursts) {
    clock.t += gap;
    answers.push(
      ...(await Promise.all(
        requests.map((r) =>
          r.kind === 'close'
            ? store.closeIfDue(r.auctionId)
            : store.placeBid({
                auctionId: r.auctionId,
                bidderId: r.bidderId,
                bidId: r.bidId,
                maxCents: r.maxCents,
              }),
        ),
      )),
    );
  }
  return { answers, final: await store.list() };
}

describe('the in-process and the Redis store (property)', () => {
  it('give identical outcomes and identical final states for any sequence of bids and closes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(burst, { minLength: 1, maxLength: 25 }), async (bursts) => {
        const clock = { t: 0 };
        const memory = new InProcessBidStore({ now: () => clock.t });
        const expected = await drive(memory, bursts, clock);
        clock.t = 0;
        const shared = new RedisBidStore({
          redis: redis.url,
          keyPrefix: `eq${++prefixes}:`,
          now: () => clock.t,
        });
        try {
          const actual = await drive(shared, bursts, clock);
          expect(actual.answers).toEqual(expected.answers);
          expect(actual.final).toEqual(expected.final);
        } finally {
          await shared.close();
        }
      }),
      { ...seeded, numRuns: 80 },
    );
  });
});
