import { describe, expect, it } from 'vitest';
import { DEFAULT_SOFT_CLOSE, openingState, reserveMet, statusAt, type AuctionTerms } from './auction.js';
import type { BidOutcome } from './bids.js';
import { closeAuction, minimumBid, placeBid } from './placeBid.js';

const terms: AuctionTerms = {
  id: 'lamp',
  title: 'Lamp',
  startPriceCents: 1_000,
  startsAt: 100,
  endsAt: 1_000_000,
};

/** Applies bids `[bidder, maxCents, at]` in order; returns the last state and every outcome. */
function run(bids: Array<[string, number, number?]>, auction: AuctionTerms = terms) {
  let state = openingState(auction);
  const outcomes: BidOutcome[] = [];
  bids.forEach(([bidderId, maxCents, at = 1_000], i) => {
    const decision = placeBid(state, { auctionId: auction.id, bidderId, bidId: `b${i}`, maxCents }, at);
    state = decision.state;
    outcomes.push(decision.outcome);
  });
  return { state, outcomes };
}
const codeOf = (outcome: BidOutcome | undefined) => (outcome?.ok ? 'accepted' : outcome?.code);

describe('proxy bidding', () => {
  it('the first bid opens at the start price whatever its maximum', () => {
    const { state, outcomes } = run([['ann', 50_000]]);
    expect(state.priceCents).toBe(1_000);
    expect(state.leader).toMatchObject({ bidderId: 'ann', maxCents: 50_000 });
    expect(outcomes[0]).toMatchObject({ ok: true, leading: true, priceCents: 1_000, version: 1 });
  });

  it('a higher maximum takes the lead at the old maximum plus one increment', () => {
    const { state, outcomes } = run([
      ['ann', 2_000],
      ['bob', 5_000],
    ]);
    // $20.00 is in the $5–$25 band: one increment is $0.50.
    expect(state.priceCents).toBe(2_050);
    expect(state.leader?.bidderId).toBe('bob');
    expect(outcomes[1]).toMatchObject({ leading: true, priceCents: 2_050 });
  });

  it('a higher maximum less than one increment above pays its own maximum', () => {
    expect(
      run([
        ['ann', 2_000],
        ['bob', 2_020],
      ]).state.priceCents,
    ).toBe(2_020);
  });

  it('a lower maximum is accepted but outbid at once: the leader pays one increment above it', () => {
    const { state, outcomes } = run([
      ['ann', 5_000],
      ['bob', 2_000],
    ]);
    expect(state.leader?.bidderId).toBe('ann');
    expect(state.priceCents).toBe(2_050);
    expect(outcomes[1]).toMatchObject({ ok: true, leading: false, priceCents: 2_050 });
  });

  it('on equal maximums the earlier bid keeps the lead, at that maximum', () => {
    const { state, outcomes } = run([
      ['ann', 5_000],
      ['bob', 5_000],
    ]);
    expect(state.leader?.bidderId).toBe('ann');
    expect(state.priceCents).toBe(5_000);
    expect(outcomes[1]).toMatchObject({ leading: false });
  });

  it('a leader raising their own maximum does not raise the price', () => {
    const { state, outcomes } = run([
      ['ann', 2_000],
      ['bob', 3_000],
      ['bob', 9_000],
    ]);
    expect(state.priceCents).toBe(2_050);
    expect(state.leader).toMatchObject({ bidderId: 'bob', maxCents: 9_000 });
    expect(outcomes[2]).toMatchObject({ ok: true, leading: true, priceCents: 2_050 });
  });

  it('refuses a leader who does not raise their maximum, and a bid under the minimum', () => {
    const { outcomes, state } = run([
      ['ann', 2_000],
      ['ann', 2_000],
      ['bob', 1_049],
      ['bob', 1_050],
    ]);
    expect(outcomes.map(codeOf)).toEqual(['accepted', 'bid_too_low', 'bid_too_low', 'accepted']);
    expect(minimumBid(state)).toBe(state.priceCents + 50);
  });

  it('refuses under the start price, then accepts exactly the start price', () => {
    expect(run([['ann', 999]]).outcomes.map(codeOf)).toEqual(['bid_too_low']);
    expect(run([['ann', 1_000]]).outcomes.map(codeOf)).toEqual(['accepted']);
  });

  it('refuses malformed amounts and ids, changing nothing', () => {
    for (const maxCents of [0, -5, 10.5, Number.NaN, 1e13]) {
      const { state, outcomes } = run([['ann', maxCents]]);
      expect(codeOf(outcomes[0])).toBe('invalid_message');
      expect(state).toEqual(openingState(terms));
    }
    expect(codeOf(run([['', 5_000]]).outcomes[0])).toBe('invalid_message');
  });
});

describe('the hidden reserve', () => {
  const reserved = { ...terms, reserveCents: 10_000 };

  it('is not met while every maximum is below it; the price stays a proxy price', () => {
    const { state, outcomes } = run(
      [
        ['ann', 5_000],
        ['bob', 8_000],
      ],
      reserved,
    );
    expect(state.priceCents).toBe(5_100);
    expect(reserveMet(state)).toBe(false);
    expect(outcomes[1]).toMatchObject({ reserveMet: false });
  });

  it('a maximum that reaches it lifts the price to the reserve at once', () => {
    const { state, outcomes } = run(
      [
        ['ann', 5_000],
        ['bob', 12_000],
      ],
      reserved,
    );
    expect(state.priceCents).toBe(10_000);
    expect(outcomes[1]).toMatchObject({ reserveMet: true, priceCents: 10_000 });
  });

  it('a leader raising their maximum to the reserve lifts the price to it (the one raise that moves the price)', () => {
    const { state } = run(
      [
        ['ann', 5_000],
        ['ann', 10_000],
      ],
      reserved,
    );
    expect(state.priceCents).toBe(10_000);
  });

  it('a first bid at the reserve opens at the reserve; one cent under opens at the start price', () => {
    expect(run([['ann', 10_000]], reserved).state.priceCents).toBe(10_000);
    expect(run([['ann', 9_999]], reserved).state.priceCents).toBe(1_000);
  });

  it('an auction without a reserve has it met from the start', () => {
    expect(reserveMet(openingState(terms))).toBe(true);
  });
});

describe('status and soft close, by receipt time', () => {
  const { windowMs, extensionMs } = DEFAULT_SOFT_CLOSE;

  it('refuses before startsAt and from endsAt on; accepts at startsAt and one ms before endsAt', () => {
    const at = (time: number) => codeOf(run([['ann', 5_000, time]]).outcomes[0]);
    expect([at(99), at(100), at(terms.endsAt - 1), at(terms.endsAt)]).toEqual([
      'auction_not_open',
      'accepted',
      'accepted',
      'auction_closed',
    ]);
  });

  it('a bid inside the window moves the close to its receipt plus the extension; one outside does not', () => {
    const edge = terms.endsAt - windowMs;
    expect(run([['ann', 5_000, edge - 1]]).state.endsAt).toBe(terms.endsAt);
    const inside = run([['ann', 5_000, edge]]);
    expect(inside.state.endsAt).toBe(edge + extensionMs);
    expect(inside.outcomes[0]).toMatchObject({ extended: edge + extensionMs > terms.endsAt });
    const late = run([['ann', 5_000, terms.endsAt - 1]]);
    expect(late.state.endsAt).toBe(terms.endsAt - 1 + extensionMs);
    expect(late.outcomes[0]).toMatchObject({ extended: true });
  });

  it('an extension never shortens: a window longer than the extension keeps the later close', () => {
    const custom = { ...terms, softClose: { windowMs: 600_000, extensionMs: 10_000 } };
    expect(run([['ann', 5_000, 500_000]], custom).state.endsAt).toBe(terms.endsAt);
  });

  it('closing is conditional on the time: early it reports open, at endsAt it records, twice it is a no-op', () => {
    const { state } = run([['ann', 5_000, terms.endsAt - 1]]);
    const early = closeAuction(state, terms.endsAt);
    expect(early).toEqual({ state, closed: false });
    const due = closeAuction(state, state.endsAt);
    expect(due.closed).toBe(true);
    expect(due.state).toMatchObject({ status: 'closed', version: state.version + 1 });
    expect(due.auditEntry).toEqual({ kind: 'close', auctionId: 'lamp', at: state.endsAt, version: 2 });
    expect(closeAuction(due.state, state.endsAt + 5)).toEqual({ state: due.state, closed: true });
    expect(statusAt(due.state, 0)).toBe('closed');
  });
});
