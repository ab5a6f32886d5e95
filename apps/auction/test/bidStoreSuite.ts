import { afterEach, describe, expect, it } from 'vitest';
import {
  countAnomalies,
  totalAnomalies,
  type AuctionTerms,
  type Bid,
  type BidStore,
} from '../src/domain/index.js';

/** Opens a fresh, empty store whose receipt times come from `now`. */
export type OpenStore = (now: () => number) => Promise<BidStore>;

export const LOT: AuctionTerms = {
  id: 'lamp',
  title: 'Lamp',
  startPriceCents: 1_000,
  reserveCents: 5_000,
  startsAt: 1_000,
  endsAt: 1_000_000,
};
const bid = (bidderId: string, maxCents: number, bidId = `${bidderId}-${maxCents}`): Bid => ({
  auctionId: LOT.id,
  bidderId,
  bidId,
  maxCents,
});

/**
 * What every {@link BidStore} must do, run unchanged against each implementation (as aedes-persistence's abstract
 * tests are): creation, acceptance with the proxy rules, idempotent retries, server time, the conditional close, and
 * atomic acceptance under many bids in flight at once.
 */
export function bidStoreSuite(name: string, open: OpenStore): void {
  describe(`${name} (the BidStore suite)`, () => {
    let store: BidStore;
    let time = 10_000;
    const start = async () => {
      time = 10_000;
      store = await open(() => time);
      await store.create(LOT);
    };
    afterEach(async () => store.close());

    it('creates once: a second create with other terms leaves the auction as it was; lists by id', async () => {
      await start();
      await store.placeBid(bid('ann', 2_000));
      const again = await store.create({ ...LOT, startPriceCents: 5 });
      expect(again).toMatchObject({ terms: LOT, version: 1, priceCents: 1_000 });
      await store.create({ ...LOT, id: 'chair' });
      expect((await store.list()).map((state) => state.terms.id)).toEqual(['chair', 'lamp']);
      expect(await store.get('nothing')).toBeUndefined();
    });

    it('accepts by the proxy rules and returns the new state, the outcome and who lost the lead', async () => {
      await start();
      const first = await store.placeBid(bid('ann', 3_000));
      expect(first).toMatchObject({
        duplicate: false,
        outcome: { ok: true, leading: true, priceCents: 1_000 },
      });
      expect(first.displaced).toBeUndefined();
      time += 5;
      const second = await store.placeBid(bid('bob', 6_000));
      expect(second.outcome).toMatchObject({
        ok: true,
        leading: true,
        priceCents: 5_000,
        reserveMet: true,
        version: 2,
      });
      expect(second.displaced).toBe('ann');
      expect(second.state).toMatchObject({
        version: 2,
        priceCents: 5_000,
        leader: { bidderId: 'bob', at: time },
      });
      expect(second.state).toEqual(await store.get(LOT.id));
      expect(second.auditEntry).toEqual({
        kind: 'bid',
        outcome: second.outcome,
        duplicate: false,
        leaderId: 'bob',
      });
    });

    it('answers a retry with the original outcome, accepted or refused, and changes nothing', async () => {
      await start();
      const original = await store.placeBid(bid('ann', 3_000, 'x1'));
      const refused = await store.placeBid(bid('bob', 500, 'y1'));
      time += 1_000;
      const retry = await store.placeBid({ ...bid('ann', 9_999, 'x1') });
      expect(retry.duplicate).toBe(true);
      expect(retry.outcome).toEqual(original.outcome);
      expect(retry.state).toEqual(original.state);
      expect(retry.auditEntry).toMatchObject({ kind: 'bid', duplicate: true });
      const refusedRetry = await store.placeBid(bid('bob', 9_000, 'y1'));
      expect(refusedRetry).toMatchObject({ duplicate: true, outcome: refused.outcome });
      // Another bidder may reuse the same bid id: ids are the bidder's own.
      expect((await store.placeBid(bid('cem', 9_000, 'x1'))).duplicate).toBe(false);
      expect((await store.get(LOT.id))?.version).toBe(2);
    });

    it('refuses unknown auctions and malformed bids without storing them', async () => {
      await start();
      expect((await store.placeBid({ ...bid('ann', 2_000), auctionId: 'nope' })).outcome).toMatchObject({
        ok: false,
        code: 'unknown_auction',
      });
      for (const bad of [bid('ann', 0), bid('ann', 1.5), bid('', 2_000), bid('ann', 2_000, 'x'.repeat(65))])
        expect((await store.placeBid(bad)).outcome).toMatchObject({ ok: false, code: 'invalid_message' });
      expect((await store.placeBid(bid('ann', 2_000))).outcome.ok).toBe(true);
    });

    it('judges status and soft close by its own time; the close is recorded only once it is due', async () => {
      await start();
      time = 500;
      expect((await store.placeBid(bid('ann', 2_000, 'early'))).outcome).toMatchObject({
        code: 'auction_not_open',
      });
      time = LOT.endsAt - 1;
      expect(await store.now()).toBe(time);
      const late = await store.placeBid(bid('ann', 2_000));
      expect(late.outcome).toMatchObject({ ok: true, extended: true, endsAt: time + 120_000 });
      time = LOT.endsAt + 10;
      expect(await store.closeIfDue(LOT.id)).toMatchObject({
        closed: false,
        state: { endsAt: late.state!.endsAt },
      });
      time = late.state!.endsAt;
      const closed = await store.closeIfDue(LOT.id);
      expect(closed).toMatchObject({ closed: true, state: { status: 'closed', version: 2 } });
      expect(closed.auditEntry).toEqual({ kind: 'close', auctionId: LOT.id, at: time, version: 2 });
      expect(await store.closeIfDue(LOT.id)).toEqual({ closed: true, state: closed.state });
      expect((await store.placeBid(bid('bob', 9_000))).outcome).toMatchObject({ code: 'auction_closed' });
      expect(await store.closeIfDue('nope')).toEqual({ closed: false });
    });

    it('accepts 300 bids in flight at once (equal amounts at one instant) atomically: dense versions, no anomaly', async () => {
      await start();
      const amounts = [2_000, 2_000, 2_500, 3_000, 3_000, 7_500];
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          store.placeBid(bid(`u${i % 40}`, amounts[i % 6]! + (i % 7) * 50, `b${i}`)),
        ),
      );
      const accepted = results.flatMap((result) => (result.outcome.ok ? [result.outcome] : []));
      expect(accepted.map((outcome) => outcome.version).sort((a, b) => a - b)).toEqual(
        accepted.map((_, i) => i + 1),
      );
      const final = (await store.get(LOT.id))!;
      expect(final.version).toBe(accepted.length);
      const log = results.map((result) => result.auditEntry);
      expect(countAnomalies([LOT], log, [final])).toSatisfy((counts) => totalAnomalies(counts) === 0);
    });
  });
}
