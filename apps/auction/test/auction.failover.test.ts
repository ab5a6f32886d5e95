import { discoverApps } from '@twohop/app-kit';
import { requestSession } from '@twohop/client';
import { startCluster, type Cluster } from '@twohop/cluster';
import { waitFor } from '@twohop/testkit';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { AuctionSession, lotOf, type FollowedLot } from '../src/client/AuctionSession.js';
import { CLUSTER_PREFIX } from '../src/server/cluster/createAuctionNode.js';
import { RedisBidStore } from '../src/server/store/RedisBidStore.js';
import { redisKeys } from '../src/server/store/redisKeys.js';
import { lot } from './startAuction.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A session of `signed`'s user on whichever node `url` names at each (re)connect. */
function sessionOn(url: () => string, signed: { token: string; expiresAt: number }) {
  const session = new AuctionSession({
    url,
    token: signed.token,
    expiresAt: signed.expiresAt,
    ackTimeoutMs: 2000,
    backoff: { baseMs: 50, capMs: 200 },
  });
  cleanups.push(() => session.close());
  return session;
}

/** What a client saw of a lot's two streams: the seqs of their deltas, and each (re)subscribe's `recovered`. */
function record(session: AuctionSession, id: string) {
  const seen = { bids: [] as { from: number; seq: number }[], lot: [] as number[], resumes: [] as boolean[] };
  const resyncs: string[] = [];
  session.client.events.on('delta', (delta) => {
    if (delta.stream === `bids:${id}`) seen.bids.push({ from: delta.from, seq: delta.seq });
    if (delta.stream === `auction:${id}`) seen.lot.push(delta.seq);
  });
  session.client.events.on('subscribed', (ack) => {
    if (ack.stream === `bids:${id}`) seen.resumes.push(ack.recovered);
  });
  session.client.events.on('resync', (event) => resyncs.push(`${event.stream}: ${event.reason}`));
  return { ...seen, resyncs };
}

const bidsOf = (followed: FollowedLot) => followed.bids.replica.position?.seq ?? 0;

describe('the auction on several processes sharing Redis', () => {
  it(
    'a watcher whose node is SIGKILLed resumes bids:<id> on another with nothing lost, repeated or reordered; a lot whose timer died with the node closes once',
    { timeout: 120_000 },
    async () => {
      const auction = discoverApps(new URL('../../', import.meta.url)).find((app) => app.name === 'auction')!;
      const cluster: Cluster = await startCluster({
        root: new URL('../../../', import.meta.url),
        apps: [auction],
        nodes: 2,
        env: { ...process.env, AUCTION_LOTS: '1', AUCTION_LOT_MS: '3600000' },
      });
      cleanups.push(() => cluster.stop());
      const [one, two] = cluster.app('auction').nodes as [
        Cluster['apps'][0]['nodes'][0],
        Cluster['apps'][0]['nodes'][0],
      ];
      // Lots added straight into Redis reach every node: the catalogue is shared.
      const store = new RedisBidStore({ redis: cluster.redisUrl, keyPrefix: CLUSTER_PREFIX });
      cleanups.push(() => store.close());
      await store.create(lot('ship', 600_000));
      const bell = await store.create(lot('bell', 9_000, { softClose: { windowMs: 10, extensionMs: 10 } }));

      // Wendy watches on node one (and bid on the bell there); Ada and Bob bid on node two.
      let current = one.url;
      const wendy = sessionOn(() => current, await requestSession(one.url, 'Wendy'));
      const watched = wendy.follow('ship');
      const seen = record(wendy, 'ship');
      const bidders = await Promise.all(
        ['Ada', 'Bob'].map(async (name) => sessionOn(() => two.url, await requestSession(two.url, name))),
      );
      await waitFor(
        'everyone live',
        () => [wendy, ...bidders].every((s) => s.client.state === 'live'),
        20_000,
      );
      await waitFor('the ship on node one', () => lotOf(watched.lot) !== undefined, 20_000);
      expect(await wendy.bid('bell', 1500)).toMatchObject({ ok: true });
      expect(await bidders[0]!.bid('bell', 2500)).toMatchObject({ ok: true });

      // Bids keep coming on node two, each maximum above the last (every one accepted), through the kill.
      let bidding = true;
      let max = 2000;
      const loop = (async () => {
        for (let i = 0; bidding && i < 2000; i++) {
          await bidders[i % 2]!.bid('ship', (max += 1000));
          await new Promise((resolve) => setTimeout(resolve, 30));
        }
      })();
      cleanups.push(() => ((bidding = false), loop));
      await waitFor('bids seen on node one', () => bidsOf(watched) >= 15, 30_000);

      // What this test is about: node one had armed the bell's close timer and dies before it fires.
      expect((await store.get('bell'))?.status, 'the bell still open as node one dies').toBe('open');
      expect(await store.now()).toBeLessThan(bell.endsAt);
      await cluster.kill(one.name, 'SIGKILL');
      const before = bidsOf(watched);
      current = two.url;
      await waitFor('resumed on node two', () => seen.resumes.length === 2, 30_000);
      await waitFor('more bids on node two', () => bidsOf(watched) >= before + 15, 30_000);
      bidding = false;
      await loop;

      // Nothing lost, repeated or reordered: one delta per bid, in order, across both nodes; resumed, not restarted.
      const state = (await store.get('ship'))!;
      await waitFor('every bid seen', () => bidsOf(watched) === state.bidCount, 20_000);
      expect(seen.resumes).toEqual([false, true]);
      expect(seen.resyncs).toEqual([]);
      expect(seen.bids.every((delta) => delta.from === delta.seq)).toBe(true);
      const first = seen.bids[0]!.seq;
      expect(seen.bids.map((delta) => delta.seq)).toEqual(
        Array.from({ length: state.bidCount - first + 1 }, (_, i) => first + i),
      );
      // Converged: what Wendy holds is what a fresh client of node two holds.
      const probe = sessionOn(() => two.url, await requestSession(two.url, 'Pat'));
      const fresh = probe.follow('ship');
      await waitFor('the probe caught up', () => bidsOf(fresh) === state.bidCount, 20_000);
      expect([...watched.bids.replica.state]).toEqual([...fresh.bids.replica.state]);
      expect([...watched.lot.replica.state]).toEqual([...fresh.lot.replica.state]);
      expect(lotOf(watched.lot)).toMatchObject({ bidCount: state.bidCount, priceCents: state.priceCents });

      // The bell closed after node one died (the other processes' timers asked): recorded once, each bidder told once.
      await waitFor('the bell closed', async () => (await store.get('bell'))?.status === 'closed', 30_000);
      const redis = new Redis(cluster.redisUrl);
      cleanups.push(() => redis.quit());
      const log = await redis.xrange(redisKeys(CLUSTER_PREFIX, 'bell').bids, '-', '+');
      expect(log.filter(([, fields]) => !fields.includes('bid')).map(([id]) => id)).toEqual(['0-1', '3-0']);
      await waitFor(
        'Wendy told',
        () => wendy.notices.held.some((n) => n.auction === 'bell' && n.kind === 'lost'),
        20_000,
      );
      for (const [session, outcome] of [
        [wendy, 'lost'],
        [bidders[0]!, 'won'],
      ] as const) {
        const kinds = session.notices.held.filter((n) => n.auction === 'bell').map((n) => n.kind);
        expect(kinds.filter((kind) => kind === 'won' || kind === 'lost')).toEqual([outcome]);
      }
    },
  );
});
