import { readMetric } from '@twohop/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { AuctionSession, lotOf } from '../src/client/AuctionSession.js';
import type { BidEntry } from '../src/client/wire.js';
import { lot, startAuction } from './startAuction.js';
import { waitFor } from '@twohop/testkit';

const until = (check: () => boolean, timeoutMs?: number) => waitFor(check.toString(), check, timeoutMs);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const kinds = (session: { notices: { held: { kind: string; auction: string }[] } }) =>
  session.notices.held.map((notice) => `${notice.kind} ${notice.auction}`);

describe('auction over real socket.io', () => {
  it('one outbids the other: the price moves by the increment, watchers see aliases, each hears where they stand', async () => {
    const { server, session } = await startAuction(cleanups, { lots: [lot('vase', 60_000)] });
    const ada = await session('Ada');
    const bob = await session('Bob');
    const eve = await session('Eve');
    const watched = eve.follow('vase');
    await until(() => lotOf(watched.lot)?.priceCents === 1000);
    expect(lotOf(watched.lot)).toMatchObject({
      leader: null,
      minBidCents: 1000,
      bidCount: 0,
      status: 'open',
    });

    const first = await ada.bid('vase', 1000);
    expect(first).toMatchObject({ ok: true, priceCents: 1000, leading: true });
    // Bob's maximum is above Ada's: he leads at Ada's maximum plus one increment ($0.50 at $10).
    const second = await bob.bid('vase', 5000);
    expect(second).toMatchObject({ ok: true, priceCents: 1050, leading: true });
    await until(() => lotOf(watched.lot)?.bidCount === 2);
    const bobAlias = await bob.alias('vase');
    expect(lotOf(watched.lot)).toMatchObject({ priceCents: 1050, minBidCents: 1100, leader: bobAlias });
    expect(bobAlias).toMatch(/^Bidder [A-Z2-9]{4}$/);
    expect(await ada.alias('vase')).not.toBe(bobAlias);
    // Nobody's user id is on the wire to watchers.
    const seen = JSON.stringify([...watched.lot.replica.state, ...watched.bids.replica.state]);
    expect(seen).not.toContain(ada.signed.userId);
    expect(seen).not.toContain(bob.signed.userId);
    await until(() => watched.bids.replica.state.size === 2);
    expect((watched.bids.replica.state.get('b2') as BidEntry).leader).toBe(bobAlias);

    await until(() => kinds(ada).length === 2 && kinds(bob).length === 1);
    expect(kinds(ada)).toEqual(['winning vase', 'outbid vase']);
    expect(kinds(bob)).toEqual(['winning vase']);
    // Below the next valid amount: refused with a stable code, nothing changes.
    const low = await ada.bid('vase', 1050);
    expect(low).toMatchObject({ ok: false, error: { code: 'bid_too_low' } });
    expect(server.feed.view('vase')?.bidCount).toBe(2);
    expect(await readMetric(server.auctionMetrics.registry, 'auction_bids_total')).toBe(3);
  });

  it('a retried bid (same bid id) gets the first outcome and is placed once', async () => {
    const { server, session } = await startAuction(cleanups, { lots: [lot('clock', 60_000)] });
    const ada = await session('Ada');
    const first = await ada.bid('clock', 2000, 'bid-1');
    const again = await ada.bid('clock', 2000, 'bid-1');
    expect(again).toEqual(first);
    expect(server.feed.view('clock')?.bidCount).toBe(1);
    const entries = await (await server.stores).audit.entries();
    expect(entries.filter((entry) => entry.kind === 'bid' && entry.duplicate)).toHaveLength(1);
  });

  it('every tab of a user hears each notice once, and a tab that was away catches up after reconnecting', async () => {
    const { session } = await startAuction(cleanups, { lots: [lot('lamp', 60_000)] });
    const ada = await session('Ada');
    const adaTab = await session('Ada again', { token: ada.signed.token });
    const bob = await session('Bob');
    await ada.bid('lamp', 1000);
    await until(() => kinds(adaTab).length === 1);
    adaTab.client.reconnect();
    await bob.bid('lamp', 1100);
    await ada.bid('lamp', 1500);
    await until(() => kinds(ada).length === 3);
    await until(() => adaTab.client.state === 'live' && kinds(adaTab).length === 3);
    expect(kinds(adaTab)).toEqual(kinds(ada));
    expect(kinds(ada)).toEqual(['winning lamp', 'outbid lamp', 'winning lamp']);
    expect(adaTab.notices.stats.duplicates + ada.notices.stats.duplicates).toBe(0);
  });

  it('a bid in the closing window extends the close; the store closes at endsAt; winner and loser hear it', async () => {
    const { server, session } = await startAuction(cleanups, { lots: [lot('chair', 800)] });
    const ada = await session('Ada');
    const bob = await session('Bob');
    const watched = bob.follow('chair');
    await until(() => lotOf(watched.lot) !== undefined);
    const before = lotOf(watched.lot)!.endsAt;
    // Ada's maximum is $50: Bob's $11 after it is answered at once by her proxy.
    const bid = await ada.bid('chair', 5000);
    expect(bid.ok && bid.endsAt).toBeGreaterThan(before);
    await until(() => lotOf(watched.lot)!.endsAt > before);
    await bob.bid('chair', 1100);
    await until(() => lotOf(watched.lot)?.status === 'closed', 6000);
    const closed = lotOf(watched.lot)!;
    expect(closed).toMatchObject({ status: 'closed', leader: await ada.alias('chair'), priceCents: 1150 });
    await until(() => kinds(ada).includes('won chair') && kinds(bob).includes('lost chair'));
    const late = await bob.bid('chair', 99_999);
    expect(late).toMatchObject({ ok: false, error: { code: 'auction_closed' } });
    const closes = (await (await server.stores).audit.entries()).filter((entry) => entry.kind === 'close');
    expect(closes).toHaveLength(1);
  });

  it('losing races is not abuse: bids the rules refuse are answered without a strike; a malformed one still strikes', async () => {
    const { session } = await startAuction(cleanups, {
      lots: [lot('clock', 60_000)],
      bidRate: 1_000,
      bidBurst: 1_000,
      limits: { maxStrikes: 3, ratePerSecond: 1_000, rateBurst: 1_000 },
    });
    const ada = await session('Ada');
    const bob = await session('Bob');
    expect(await bob.bid('clock', 100_000)).toMatchObject({ ok: true });
    // Ten times the strike limit of bids a rival's maximum already beats: each refused, the connection stays.
    for (let i = 0; i < 30; i++)
      expect(await ada.bid('clock', 1_000 + i)).toMatchObject({ ok: false, error: { code: 'bid_too_low' } });
    expect(await ada.bid('clock', 200_000)).toMatchObject({ ok: true, leading: true });
    // A request the schema refuses is a strike as before: past the limit the connection is closed for abuse.
    const notices: unknown[] = [];
    ada.client.events.on('notice', (notice) => notices.push(notice));
    const malformed = [];
    for (let i = 0; i < 4; i++)
      malformed.push(await ada.request('bid', { auction: 'clock', bidId: `x${i}`, maxCents: -1 }));
    expect(malformed.slice(0, 3)).toMatchObject(
      Array(3).fill({ ok: false, error: { code: 'invalid_message' } }),
    );
    await until(() => notices.length === 1);
    expect(notices).toMatchObject([{ error: { code: 'protocol_abuse' }, reconnect: false }]);
  });

  it('limits bids per user with rate_limited and when to retry', async () => {
    const { session } = await startAuction(cleanups, {
      lots: [lot('coin', 60_000)],
      bidRate: 1,
      bidBurst: 2,
    });
    const ada = await session('Ada');
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await ada.bid('coin', 10_000 + i * 1000));
    expect(replies.map((reply) => reply.ok)).toEqual([true, true, false]);
    expect(replies[2]).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(!replies[2]!.ok && replies[2]!.error.retryAfterMs).toBeGreaterThan(0);
  });

  it('a token the server does not accept (forged, or signed with another secret) ends the session as unauthorized', async () => {
    const { url } = await startAuction(cleanups, { lots: [lot('desk', 60_000)] });
    const other = await startAuction(cleanups, { secret: 'another-secret' });
    const foreign = await other.session('Mallory');
    const session = new AuctionSession({
      url,
      token: foreign.signed.token,
      backoff: { baseMs: 10, capMs: 20 },
      socket: { transports: ['websocket'] },
    });
    cleanups.push(() => session.close());
    await until(() => session.state === 'unauthorized');
    expect(session.client.state).toBe('failed');
  });
});
