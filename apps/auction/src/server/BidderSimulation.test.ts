import { InProcessBidStore, auditedBidStore, SqliteAuditLog } from '@twohop/auction/store';
import { ManualClock } from '@twohop/sequence';
import { SeededRandom, testSeed } from '@twohop/testkit';
import { describe, expect, it } from 'vitest';
import { aliasOf } from './aliases.js';
import { AuctionHouse } from './AuctionHouse.js';
import { auctionMetrics } from './auctionMetrics.js';
import { BidderSimulation } from './BidderSimulation.js';
import { LocalAnnouncer } from './LocalAnnouncer.js';
import { LotFeed } from './LotFeed.js';
import { UserNotices } from './UserNotices.js';

const flush = () => new Promise((resolve) => setImmediate(resolve));

/** A house with simulated bidders on a manual clock (the store's wall clock follows it); runs `seconds` of it. */
async function run(seed: number, seconds: number) {
  const clock = new ManualClock(0);
  const now = () => 1_800_000_000_000 + clock.now();
  const audit = new SqliteAuditLog();
  const store = auditedBidStore(new InProcessBidStore({ now }), audit);
  const feed = new LotFeed((auction, user) => aliasOf('secret', auction, user), now);
  const metrics = auctionMetrics();
  const closed: string[] = [];
  const announcer = new LocalAnnouncer(feed, new UserNotices(() => {}), metrics, now, (state) => {
    closed.push(state.terms.id);
    simulation.closed(state);
  });
  const house = new AuctionHouse({ store, metrics, clock, announcer });
  const random = new SeededRandom(seed);
  const simulation: BidderSimulation = new BidderSimulation(house, store, feed, clock, {
    random: () => random.float(),
    lots: 3,
    lotMs: 60_000,
    softClose: { windowMs: 5000, extensionMs: 5000 },
    keepClosedMs: 10_000,
  });
  await simulation.start();
  for (let second = 0; second < seconds; second++) {
    clock.advance(1000);
    for (let i = 0; i < 5; i++) await flush();
  }
  simulation.stop();
  house.stop();
  const extensions = (await audit.entries()).filter(
    (entry) => entry.kind === 'bid' && entry.outcome.ok && entry.outcome.extended,
  ).length;
  return {
    feed,
    closed,
    extensions,
    bids: (await store.list()).map((state) => [state.terms.id, state.priceCents, state.bidCount]),
  };
}

describe('BidderSimulation', () => {
  const seed = testSeed('BidderSimulation', 7);

  it('keeps lots open: bids on them, snipes some into extensions, and opens a new lot as each closes', async () => {
    const { feed, closed, bids, extensions } = await run(seed, 150);
    expect(closed.length).toBeGreaterThan(0);
    expect(extensions).toBeGreaterThan(0);
    const open = [...feed.views.values()].filter((lot) => lot.status === 'open');
    expect(open).toHaveLength(3);
    expect(bids.some(([, , count]) => (count as number) > 0)).toBe(true);
    // A closed lot leaves the list once it has been shown closed for a while.
    expect(feed.view(closed[0]!)).toBeUndefined();
  });

  it('repeats itself from the same seed', async () => {
    const [a, b] = [await run(seed, 60), await run(seed, 60)];
    expect(a.bids).toEqual(b.bids);
  });
});
