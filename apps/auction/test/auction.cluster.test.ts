import { waitFor } from '@twohop/testkit';
import { startRedisServer, type RedisServer } from '@twohop/testkit/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lotOf } from '../src/client/AuctionSession.js';
import type { BidEntry } from '../src/client/wire.js';
import { lot, startAuctionNode } from './startAuction.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => redis?.stop());
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let prefixes = 0;
/** Two nodes on one Redis, under a key prefix of their own (no test sees another's lots). */
async function twoNodes() {
  const keyPrefix = `cluster${++prefixes}:`;
  const a = await startAuctionNode(cleanups, { redisUrl: redis.url, keyPrefix });
  const b = await startAuctionNode(cleanups, { redisUrl: redis.url, keyPrefix });
  return { a, b };
}

type Node = Awaited<ReturnType<typeof twoNodes>>['a'];
type Session = Awaited<ReturnType<Node['session']>>;

/** The seqs of the deltas `session` was sent on `stream`. */
function deltaSeqs(session: Session, stream: string): number[] {
  const seqs: number[] = [];
  session.client.events.on('delta', (delta) => {
    if (delta.stream === stream) seqs.push(delta.seq);
  });
  return seqs;
}

const kinds = (session: Session) => session.notices.held.map((notice) => `${notice.seq} ${notice.kind}`);

describe('the auction on two nodes sharing Redis', () => {
  it('bids accepted on either node move both nodes’ streams, in version order, each once; the lot list is shared', async () => {
    const { a, b } = await twoNodes();
    // Created on A, listed on B: the catalogue is in Redis.
    await a.server.house.open(lot('vase', 60_000));
    await waitFor('the lot on B', () => b.server.lots.view('vase') !== undefined);
    const onA = (await a.session('Carl')).follow('vase');
    const eve = await b.session('Eve');
    const onB = eve.follow('vase');
    const seqsOnB = deltaSeqs(eve, 'bids:vase');
    await waitFor('both watchers live', () => lotOf(onA.lot) !== undefined && lotOf(onB.lot) !== undefined);

    const ada = await a.session('Ada');
    const bob = await b.session('Bob');
    // Both nodes at once: the store orders them; every node shows that order.
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? ada : bob).bid('vase', 2000 + 100 * i)),
    );
    const accepted = replies.filter((reply) => reply.ok).length;
    expect(accepted).toBeGreaterThan(1);
    await waitFor('every accepted bid on both', () =>
      [onA, onB].every((followed) => lotOf(followed.lot)?.bidCount === accepted),
    );
    expect(seqsOnB).toEqual(Array.from({ length: accepted }, (_, i) => i + 1));
    expect([...onB.bids.replica.state]).toEqual([...onA.bids.replica.state]);
    expect([...onB.lot.replica.state]).toEqual([...onA.lot.replica.state]);
    expect(onB.bids.replica.position).toEqual(onA.bids.replica.position);
    const prices = [...onB.bids.replica.state.values()].map((entry) => (entry as BidEntry).priceCents);
    expect(prices).toEqual([...prices].sort((x, y) => x - y));
    expect(b.server.lots.views.get('vase')).toEqual(a.server.lots.views.get('vase'));
  });

  it('a node started later serves every lot from its log, with the same seqs, and follows from there', async () => {
    const keyPrefix = `cluster${++prefixes}:`;
    const a = await startAuctionNode(cleanups, { redisUrl: redis.url, keyPrefix });
    await a.server.house.open(lot('bowl', 60_000));
    const ada = await a.session('Ada');
    for (const cents of [2000, 3000, 4000]) expect(await ada.bid('bowl', cents)).toMatchObject({ ok: true });
    const b = await startAuctionNode(cleanups, { redisUrl: redis.url, keyPrefix });
    const onB = (await b.session('Eve')).follow('bowl');
    const onA = (await a.session('Carl')).follow('bowl');
    await waitFor('both caught up', () => [onA, onB].every((f) => f.bids.replica.position?.seq === 3));
    expect(await (await b.session('Bob')).bid('bowl', 9000)).toMatchObject({ ok: true });
    await waitFor('the next bid on both', () => [onA, onB].every((f) => lotOf(f.lot)?.bidCount === 4));
    expect(onB.bids.replica.position).toEqual(onA.bids.replica.position);
    expect(onB.lot.replica.position).toEqual(onA.lot.replica.position);
    expect([...onB.bids.replica.state]).toEqual([...onA.bids.replica.state]);
    expect([...onB.lot.replica.state]).toEqual([...onA.lot.replica.state]);
  });

  it('a user bidding on A hears winning and outbid on B, and catches every notice up, in order, on reconnecting to either node', async () => {
    const { a, b } = await twoNodes();
    await a.server.house.open(lot('lamp', 60_000));
    await waitFor('the lot on B', () => b.server.lots.view('lamp') !== undefined);
    const adaOnA = await a.session('Ada');
    const adaOnB = await b.session(adaOnA.signed);
    const bob = await b.session('Bob');

    expect(await adaOnA.bid('lamp', 2000)).toMatchObject({ ok: true, leading: true });
    expect(await bob.bid('lamp', 3000)).toMatchObject({ ok: true, leading: true });
    await waitFor('both notices on B', () => adaOnB.notices.held.length === 2);
    expect(kinds(adaOnB)).toEqual(['1 winning', '2 outbid']);

    // Away from both: the next notices are kept in Redis, and a new tab on the other node catches them up.
    adaOnB.close();
    expect(await adaOnA.bid('lamp', 5000)).toMatchObject({ ok: true, leading: true });
    expect(await bob.bid('lamp', 9000)).toMatchObject({ ok: true, leading: true });
    const later = await b.session(adaOnA.signed);
    await waitFor('four notices caught up', () => later.notices.held.length === 4);
    expect(kinds(later)).toEqual(['1 winning', '2 outbid', '3 winning', '4 outbid']);
    expect(kinds(adaOnA)).toEqual(kinds(later));
    expect(later.notices.stats.duplicates + adaOnA.notices.stats.duplicates).toBe(0);
  });

  it('a bid retried on the other node is answered with the first outcome and placed once', async () => {
    const { a, b } = await twoNodes();
    await a.server.house.open(lot('clock', 60_000));
    await waitFor('the lot on B', () => b.server.lots.view('clock') !== undefined);
    const adaOnA = await a.session('Ada');
    const adaOnB = await b.session(adaOnA.signed);
    const first = await adaOnA.bid('clock', 2500, 'bid-1');
    const retry = await adaOnB.bid('clock', 2500, 'bid-1');
    expect(retry).toEqual(first);
    await waitFor('the bid on B', () => b.server.lots.view('clock')?.bidCount === 1);
    const watched = adaOnB.follow('clock');
    await waitFor('the bids on B', () => watched.bids.replica.state.size === 1);
    const audits = await Promise.all([a, b].map(async (node) => (await node.server.stores).audit.entries()));
    const bidLines = audits.map((lines) => lines.filter((line) => line.kind === 'bid'));
    expect(bidLines.map((lines) => lines.map((line) => line.kind === 'bid' && line.duplicate))).toEqual([
      [false],
      [true],
    ]);
    expect(adaOnB.notices.held.length).toBe(1);
  });

  it('both nodes ask to close a lot at its end: it closes once, and each bidder hears won or lost once', async () => {
    const { a, b } = await twoNodes();
    const terms = lot('chair', 1500, { softClose: { windowMs: 10, extensionMs: 10 } });
    await a.server.house.open(terms);
    await waitFor('the lot on B', () => b.server.lots.view('chair') !== undefined);
    const ada = await a.session('Ada');
    const bob = await b.session('Bob');
    const bobOnA = await a.session(bob.signed);
    expect(await ada.bid('chair', 2000)).toMatchObject({ ok: true });
    expect(await bob.bid('chair', 3000)).toMatchObject({ ok: true });

    await waitFor('closed on both', () =>
      [a, b].every((node) => node.server.lots.view('chair')?.status === 'closed'),
    );
    const closes = (await Promise.all([a, b].map(async (node) => (await node.server.stores).audit.entries())))
      .flat()
      .filter((line) => line.kind === 'close');
    expect(closes).toHaveLength(1);
    await waitFor('the outcome to both', () =>
      [ada, bob, bobOnA].every((session) =>
        session.notices.held.some((n) => n.kind === 'won' || n.kind === 'lost'),
      ),
    );
    // Once each, on every tab, also as Redis keeps them (what any node answers a catch-up with).
    const outcomes = (notices: readonly { kind: string }[]) =>
      notices.filter((n) => n.kind === 'won' || n.kind === 'lost').map((n) => n.kind);
    expect(outcomes(ada.notices.held)).toEqual(['lost']);
    expect(outcomes(bob.notices.held)).toEqual(['won']);
    expect(outcomes(bobOnA.notices.held)).toEqual(['won']);
    const kept = await b.server.notices.after(bob.signed.userId, 0, undefined);
    expect(outcomes(kept.notices)).toEqual(['won']);
  });
});
