import { describe, expect, it } from 'vitest';
import { openingState, type AuctionState, type AuctionTerms } from './auction.js';
import { bidKey, isValidAmount, isValidId, MAX_BID_CENTS, type AuditEntry, type BidOutcome } from './bids.js';
import { countAnomalies, totalAnomalies } from './oracle.js';
import { closeAuction, placeBid } from './placeBid.js';
import { AUCTION_ERROR_CODES, isAuctionErrorCode } from './refusals.js';
import { canonical, replayAudit } from './replay.js';

// The edges the main rule tests leave implicit: each assertion here is one a careless change would break.
const terms: AuctionTerms = {
  id: 'lot',
  title: 'Lot',
  startPriceCents: 1_000,
  startsAt: 0,
  endsAt: 1_000_000,
  softClose: { windowMs: 60_000, extensionMs: 10_000 },
};
const decide = (state: AuctionState, bidderId: string, maxCents: number, at = 100) =>
  placeBid(state, { auctionId: 'lot', bidderId, bidId: `${bidderId}-${maxCents}`, maxCents }, at);

describe('shape checks', () => {
  it('ids are 1–64 characters with no control character', () => {
    expect([isValidId('a'), isValidId('x'.repeat(64)), isValidId('é ü-_:/')]).toEqual([true, true, true]);
    for (const bad of ['', 'x'.repeat(65), 'a\u0000b', 'tab\t', 'us\u001f', 'del\u007f', 42, undefined])
      expect(isValidId(bad), String(bad)).toBe(false);
    expect(isValidId(' \u0020')).toBe(true);
  });

  it('amounts are whole cents from 1 to MAX_BID_CENTS', () => {
    expect([isValidAmount(1), isValidAmount(MAX_BID_CENTS)]).toEqual([true, true]);
    for (const bad of [0, MAX_BID_CENTS + 1, 1.5, '5', Number.POSITIVE_INFINITY])
      expect(isValidAmount(bad), String(bad)).toBe(false);
  });

  it('a malformed bid is refused with a message that says what a bid is', () => {
    expect(decide(openingState(terms), 'ann', 0).outcome).toMatchObject({
      code: 'invalid_message',
      message: 'a bid is whole cents from 1 to 10^12, with ids of 1–64 characters',
    });
  });

  it('a bid key tells apart ids that a plain join would confuse', () => {
    expect(bidKey({ bidderId: 'a:b', bidId: 'c' })).not.toBe(bidKey({ bidderId: 'a', bidId: 'b:c' }));
    expect(bidKey({ bidderId: 'ann', bidId: 'x' })).toBe(bidKey({ bidderId: 'ann', bidId: 'x' }));
  });

  it('the error codes are the refusals and the protocol’s, and nothing else', () => {
    expect(AUCTION_ERROR_CODES).toContain('bid_too_low');
    expect(AUCTION_ERROR_CODES).toContain('rate_limited');
    expect(AUCTION_ERROR_CODES).toContain('invalid_message');
    expect([isAuctionErrorCode('auction_closed'), isAuctionErrorCode('nope'), isAuctionErrorCode(7)]).toEqual(
      [true, false, false],
    );
  });
});

describe('what an accepted bid records', () => {
  it('a fresh auction is scheduled; a bid opens it and counts; the audit line names the leader', () => {
    expect(openingState(terms)).toMatchObject({ status: 'scheduled', version: 0, bidCount: 0 });
    const first = decide(openingState(terms), 'ann', 2_000);
    expect(first.state).toMatchObject({ status: 'open', bidCount: 1 });
    expect(first.auditEntry).toEqual({
      kind: 'bid',
      outcome: first.outcome,
      duplicate: false,
      leaderId: 'ann',
    });
    const second = decide(first.state, 'bob', 1_500);
    expect(second.state.bidCount).toBe(2);
    expect(second.auditEntry).toMatchObject({ leaderId: 'ann' });
    const refused = decide(openingState(terms), 'ann', 5).auditEntry;
    expect(refused).toMatchObject({ kind: 'bid', outcome: { code: 'bid_too_low' }, duplicate: false });
    expect('leaderId' in refused).toBe(false);
  });

  it('names who lost the lead, only when someone did', () => {
    const first = decide(openingState(terms), 'ann', 2_000);
    expect(first.displaced).toBeUndefined();
    expect(decide(first.state, 'bob', 1_500).displaced).toBeUndefined();
    expect(decide(first.state, 'ann', 5_000).displaced).toBeUndefined();
    expect(decide(first.state, 'bob', 3_000).displaced).toBe('ann');
    expect('displaced' in decide(first.state, 'bob', 1_500)).toBe(false);
  });

  it('says why in words: the minimum in cents, the auction by id', () => {
    const first = decide(openingState(terms), 'ann', 2_000);
    expect(decide(first.state, 'bob', 1_010).outcome).toMatchObject({
      message: 'the minimum bid is 1050 cents',
    });
    expect(decide(first.state, 'ann', 2_000).outcome).toMatchObject({
      message: expect.stringContaining('above your'),
    });
    expect(decide(first.state, 'bob', 3_000, 2_000_000).outcome).toMatchObject({
      message: 'auction lot has closed',
    });
    const later = { ...terms, startsAt: 500 };
    expect(decide(openingState(later), 'bob', 3_000, 1).outcome).toMatchObject({
      message: 'auction lot has not started',
    });
  });

  it('the reserve only ever raises a price: above it, the proxy price stands', () => {
    const reserved = { ...terms, reserveCents: 10_000 };
    const first = decide(openingState(reserved), 'ann', 12_000);
    expect(first.state.priceCents).toBe(10_000);
    expect(decide(first.state, 'bob', 15_000).state.priceCents).toBe(12_250);
  });

  it('with an extension longer than the window, only bids inside the window extend', () => {
    const wide = { ...terms, softClose: { windowMs: 10_000, extensionMs: 60_000 } };
    const edge = wide.endsAt - 10_000;
    expect(decide(openingState(wide), 'ann', 2_000, edge - 1).state.endsAt).toBe(wide.endsAt);
    expect(decide(openingState(wide), 'ann', 2_000, edge).state.endsAt).toBe(edge + 60_000);
  });

  it('soft close starts exactly `windowMs` before the close', () => {
    const edge = terms.endsAt - 60_000;
    expect(decide(openingState(terms), 'ann', 2_000, edge - 1).state.endsAt).toBe(terms.endsAt);
    // Inside the window but the extension ends before the close: the close stays.
    expect(decide(openingState(terms), 'ann', 2_000, edge).state.endsAt).toBe(terms.endsAt);
    const late = decide(openingState(terms), 'ann', 2_000, terms.endsAt - 1_000);
    expect(late.state.endsAt).toBe(terms.endsAt + 9_000);
    expect(late.outcome).toMatchObject({ extended: true });
  });
});

describe('replay', () => {
  const run = () => {
    const a = decide(openingState(terms), 'ann', 2_000);
    const b = decide(a.state, 'bob', 3_000, 200);
    const c = closeAuction({ ...b.state, endsAt: 300 }, 300);
    return { a, b, c };
  };

  it('orders lines by version, whatever order they were logged in, and agrees line by line', () => {
    const { a, b } = run();
    const replay = replayAudit([terms], [b.auditEntry, a.auditEntry]);
    expect(replay.changes.map((change) => change.agrees)).toEqual([true, true]);
    expect(canonical(replay.states.get('lot'))).toBe(canonical(b.state));
  });

  it('flags a line the rules decide otherwise, a close recorded early, and a line for an unknown auction', () => {
    const { a } = run();
    const forged = { ...a.auditEntry, outcome: { ...a.outcome, priceCents: 1_500 } } as AuditEntry;
    const early: AuditEntry = { kind: 'close', auctionId: 'lot', at: 10, version: 2 };
    const stray = { ...a.auditEntry, outcome: { ...a.outcome, auctionId: 'other' } } as AuditEntry;
    const replay = replayAudit([terms], [forged, early, stray]);
    expect(replay.changes.map((change) => change.agrees)).toEqual([false, false, false]);
  });

  it('canonical JSON ignores key order only', () => {
    expect(canonical({ b: 1, a: { d: [2, 1], c: null } })).toBe(
      canonical({ a: { c: null, d: [2, 1] }, b: 1 }),
    );
    expect(canonical({ a: [1, 2] })).not.toBe(canonical({ a: [2, 1] }));
    expect(canonical({ a: 'b' })).toBe('{"a":"b"}');
    expect(canonical({ b: 1, c: 3, a: 2 })).toBe('{"a":2,"b":1,"c":3}');
  });
});

describe('the oracle, at its edges', () => {
  it('a bid accepted but not leading at a shared version is a lost update, not a second leader', () => {
    const opening = openingState(terms);
    const ann = decide(opening, 'ann', 9_000);
    const bob = decide(ann.state, 'bob', 2_000);
    const cem: BidOutcome = { ...bob.outcome, bidderId: 'cem', bidId: 'c' } as BidOutcome;
    const counts = countAnomalies(
      [terms],
      [ann.auditEntry, bob.auditEntry, { kind: 'bid', outcome: cem, duplicate: false }],
    );
    expect(counts).toMatchObject({ doubleLeaders: 0, lostUpdates: 1 });
  });

  it('a leader told so after a bid that was not leading at the same version is one leader', () => {
    const ann = decide(openingState(terms), 'ann', 9_000);
    const bob = decide(ann.state, 'bob', 2_000);
    const cem = { ...bob.outcome, bidderId: 'cem', bidId: 'c', leading: true } as BidOutcome;
    expect(
      countAnomalies(
        [terms],
        [ann.auditEntry, bob.auditEntry, { kind: 'bid', outcome: cem, duplicate: false }],
      ),
    ).toMatchObject({ doubleLeaders: 0 });
  });

  it('totals every kind', () => {
    const counts = {
      doubleLeaders: 1,
      lostUpdates: 2,
      belowIncrement: 3,
      priceDecreases: 4,
      acceptedAfterClose: 5,
      stateMismatches: 6,
    };
    expect(totalAnomalies(counts)).toBe(21);
  });

  it('the same bidder told twice at one version is one leader; a state equal to the replay is no mismatch', () => {
    const ann = decide(openingState(terms), 'ann', 2_000);
    const again = { ...ann.auditEntry, outcome: { ...ann.outcome, bidId: 'again' } } as AuditEntry;
    const counts = countAnomalies([terms], [ann.auditEntry, again], [ann.state]);
    expect(counts).toMatchObject({ doubleLeaders: 0, lostUpdates: 1, stateMismatches: 0 });
    expect(
      countAnomalies([terms], [], [{ ...openingState(terms), terms: { ...terms, id: 'gone' } }]),
    ).toMatchObject({
      stateMismatches: 1,
    });
  });
});
