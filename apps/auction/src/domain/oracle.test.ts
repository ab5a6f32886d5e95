import { describe, expect, it } from 'vitest';
import { openingState, type AuctionState, type AuctionTerms } from './auction.js';
import type { AuditEntry } from './bids.js';
import { countAnomalies, totalAnomalies } from './oracle.js';
import { closeAuction, placeBid } from './placeBid.js';

const terms: AuctionTerms = {
  id: 'lot',
  title: 'Lot',
  startPriceCents: 1_000,
  startsAt: 0,
  endsAt: 100_000,
  softClose: { windowMs: 0, extensionMs: 0 },
};
const bid = (state: AuctionState, bidderId: string, maxCents: number, at = 10) =>
  placeBid(state, { auctionId: 'lot', bidderId, bidId: `${bidderId}-${maxCents}`, maxCents }, at);

describe('the oracle', () => {
  it('finds nothing in a log the rules wrote one bid at a time', () => {
    const first = bid(openingState(terms), 'ann', 2_000);
    const second = bid(first.state, 'bob', 3_000);
    const log = [first.auditEntry, second.auditEntry];
    expect(totalAnomalies(countAnomalies([terms], log, [second.state]))).toBe(0);
  });

  it('counts two bids decided on the same read: a double leader, a lost update, the store ≠ the replay', () => {
    const opening = openingState(terms);
    const ann = bid(opening, 'ann', 2_000);
    const bob = bid(opening, 'bob', 3_000);
    // The naive store wrote both; bob's write landed last.
    const counts = countAnomalies([terms], [ann.auditEntry, bob.auditEntry], [bob.state]);
    expect(counts).toMatchObject({ doubleLeaders: 1, lostUpdates: 1, stateMismatches: 1 });
  });

  it('counts a bid accepted below the increment on the state it should have seen, and a price that went down', () => {
    const high = bid(openingState(terms), 'ann', 9_000);
    const raised = bid(high.state, 'bob', 5_000); // price 5,100
    // A stale read of `high` (price 1,000) accepts 2,000 — below 5,100 + one increment — at a lower price.
    const stale = bid(high.state, 'cem', 2_000);
    const staleLine = { ...stale.auditEntry, outcome: { ...stale.outcome, version: 3 } } as AuditEntry;
    const counts = countAnomalies([terms], [high.auditEntry, raised.auditEntry, staleLine]);
    expect(counts).toMatchObject({
      belowIncrement: 1,
      priceDecreases: 1,
      doubleLeaders: 0,
      lostUpdates: 0,
      acceptedAfterClose: 0,
    });
  });

  it('counts a bid accepted after the recorded close', () => {
    const first = bid(openingState(terms), 'ann', 2_000);
    const close = closeAuction(first.state, 100_000);
    // Decided on the state read before the close, written after it.
    const late = bid(first.state, 'bob', 3_000, 99_999);
    const lateLine = { ...late.auditEntry, outcome: { ...late.outcome, version: 3 } } as AuditEntry;
    expect(countAnomalies([terms], [first.auditEntry, close.auditEntry!, lateLine])).toMatchObject({
      acceptedAfterClose: 1,
      belowIncrement: 0,
    });
  });

  it('ignores retries and refusals: they change nothing', () => {
    const first = bid(openingState(terms), 'ann', 2_000);
    const refused = bid(first.state, 'bob', 500);
    const retry = { ...first.auditEntry, duplicate: true } as AuditEntry;
    expect(
      totalAnomalies(countAnomalies([terms], [first.auditEntry, refused.auditEntry, retry], [first.state])),
    ).toBe(0);
  });
});
