import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom, testSeed } from '@twohop/testkit';
import { startRedisServer, type RedisServer } from '@twohop/testkit/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayAudit, type AuctionTerms, type BidStore } from '../src/domain/index.js';
import { createBidStore, type BidStoreConfig } from '../src/server/store/createBidStore.js';

let redis: RedisServer;
let dir: string;
beforeAll(async () => {
  redis = await startRedisServer();
  dir = mkdtempSync(join(tmpdir(), 'auction-audit-'));
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const now = Date.now();
const AUCTIONS: AuctionTerms[] = ['clock', 'vase', 'desk'].map((id, i) => ({
  id,
  title: id,
  startPriceCents: 100 * (i + 1),
  ...(i === 1 ? { reserveCents: 20_000 } : {}),
  startsAt: now - 1_000,
  // The desk closes during the run: some bids are refused, one close is recorded.
  endsAt: id === 'desk' ? now + 150 : now + 3_600_000,
  softClose: { windowMs: 0, extensionMs: 0 },
}));

/** 600 bids in bursts of 30 in flight at once, from 50 bidders, with retries and closes among them. */
async function bidAway(store: BidStore, seed: number): Promise<void> {
  const random = new SeededRandom(seed);
  for (let burst = 0; burst < 20; burst++) {
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const auctionId = AUCTIONS[random.int(0, 2)]!.id;
        const bidId = `b${random.int(0, burst * 30 + i)}`;
        return store.placeBid({
          auctionId,
          bidderId: `u${random.int(0, 49)}`,
          bidId,
          maxCents: random.int(100, 40_000),
        });
      }),
    );
    if (burst === 10) await new Promise((resolve) => setTimeout(resolve, 160));
    await Promise.all(AUCTIONS.map((terms) => store.closeIfDue(terms.id)));
  }
}

describe.each<[string, () => BidStoreConfig]>([
  ['in-process', () => ({ kind: 'in-process' })],
  ['Redis', () => ({ kind: 'redis', url: redis.url, keyPrefix: `audit${Math.random()}:` })],
])('the audit log of the %s store', (name, config) => {
  it('holds every attempt, durably, and rebuilds every auction exactly as the store holds it', async () => {
    const auditPath = join(dir, `${name}.db`);
    const opened = await createBidStore({ store: config(), auditPath, auctions: AUCTIONS });
    await bidAway(opened.store, testSeed(`auction audit rebuild (${name})`, 17));
    const held = await opened.store.list();
    await opened.close();

    // Reopened from the file: what was acked is there.
    const reopened = await createBidStore({ store: { kind: 'in-process' }, auditPath });
    const entries = await reopened.audit.entries();
    await reopened.close();
    expect(entries.filter((entry) => entry.kind === 'bid')).toHaveLength(600);
    expect(entries.some((entry) => entry.kind === 'bid' && entry.duplicate)).toBe(true);
    expect(
      entries.some(
        (entry) => entry.kind === 'bid' && !entry.outcome.ok && entry.outcome.code === 'auction_closed',
      ),
    ).toBe(true);
    expect(entries.filter((entry) => entry.kind === 'close')).toHaveLength(1);
    const replay = replayAudit(AUCTIONS, entries);
    expect(replay.changes.filter((change) => !change.agrees)).toEqual([]);
    expect([...replay.states.values()].sort((a, b) => a.terms.id.localeCompare(b.terms.id))).toEqual(held);
  });
});

describe('an embedded server restarting on its audit log', () => {
  it('comes back with every auction and answers a retry from before the restart with its original outcome', async () => {
    const auditPath = join(dir, 'restart.db');
    const first = await createBidStore({ store: { kind: 'in-process' }, auditPath, auctions: AUCTIONS });
    const before = await first.store.placeBid({
      auctionId: 'clock',
      bidderId: 'ann',
      bidId: 'x',
      maxCents: 5_000,
    });
    await first.store.placeBid({ auctionId: 'clock', bidderId: 'bob', bidId: 'y', maxCents: 7_000 });
    const held = await first.store.list();
    await first.close();
    const second = await createBidStore({ store: { kind: 'in-process' }, auditPath, auctions: AUCTIONS });
    expect(await second.store.list()).toEqual(held);
    const retry = await second.store.placeBid({
      auctionId: 'clock',
      bidderId: 'ann',
      bidId: 'x',
      maxCents: 5_000,
    });
    expect(retry).toMatchObject({ duplicate: true, outcome: before.outcome });
    await second.close();
  });
});
