import { seededProperty } from '@twohop/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openingState, statusAt, type AuctionState, type AuctionTerms } from './auction.js';
import type { AuditEntry, BidAccepted } from './bids.js';
import { countAnomalies, totalAnomalies } from './oracle.js';
import { closeAuction, placeBid } from './placeBid.js';
import { canonical, replayAudit } from './replay.js';

const seeded = seededProperty('auction placeBid properties', 0xa0c7);

/** One step: a bid, or a close requested by a timer, after `gap` ms (0: the same instant as the step before). */
const step = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('bid' as const),
      bidder: fc.constantFrom('ann', 'bob', 'cem', 'dia'),
      // Amounts from a coarse grid, so equal maximums are common; sometimes far above, sometimes too low.
      amount: fc.oneof(
        fc.integer({ min: 1, max: 60 }).map((n) => n * 250),
        fc.integer({ min: 1, max: 200_000 }),
      ),
      gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40_000 })),
    }),
    weight: 12,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('close' as const), gap: fc.integer({ min: 0, max: 60_000 }) }),
    weight: 1,
  },
);

const termsArbitrary = fc.record({
  id: fc.constant('lot'),
  title: fc.constant('Lot'),
  startPriceCents: fc.integer({ min: 1, max: 3_000 }),
  reserveCents: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: undefined }),
  startsAt: fc.constant(10_000),
  endsAt: fc.integer({ min: 50_000, max: 400_000 }),
  softClose: fc.option(
    fc.record({
      windowMs: fc.integer({ min: 0, max: 90_000 }),
      extensionMs: fc.integer({ min: 0, max: 90_000 }),
    }),
    { nil: undefined },
  ),
});

/** One generated step. */
type Step = { kind: 'bid'; bidder: string; amount: number; gap: number } | { kind: 'close'; gap: number };

/** Runs the steps through the rules, checking the invariants after every step; returns the log and final state. */
function runSteps(terms: AuctionTerms, steps: readonly Step[]) {
  let state: AuctionState = openingState(terms);
  let now = 0;
  const log: AuditEntry[] = [];
  const accepted: BidAccepted[] = [];
  steps.forEach((s, i) => {
    now += s.gap;
    const before = state;
    if (s.kind === 'close') {
      const decision = closeAuction(state, now);
      state = decision.state;
      if (decision.auditEntry !== undefined) log.push(decision.auditEntry);
      return;
    }
    const decision = placeBid(
      state,
      { auctionId: 'lot', bidderId: s.bidder, bidId: `b${i}`, maxCents: s.amount },
      now,
    );
    state = decision.state;
    log.push(decision.auditEntry);
    if (!decision.outcome.ok) {
      expect(state).toBe(before);
      return;
    }
    accepted.push(decision.outcome);
    // Nothing is accepted once closed, by the receipt time.
    expect(statusAt(before, now)).toBe('open');
    // The price never decreases and never exceeds the leader's maximum.
    expect(state.priceCents).toBeGreaterThanOrEqual(before.priceCents);
    expect(state.priceCents).toBeLessThanOrEqual(state.leader!.maxCents);
    // The leader holds the highest accepted maximum, the earliest bid on a tie.
    const top = Math.max(...accepted.map((bid) => bid.maxCents));
    const earliest = accepted.find((bid) => bid.maxCents === top)!;
    expect(state.leader).toMatchObject({ bidderId: earliest.bidderId, maxCents: top });
    // A reserve reached by the leader's maximum is reflected in the price.
    if (terms.reserveCents !== undefined && top >= terms.reserveCents)
      expect(state.priceCents).toBeGreaterThanOrEqual(terms.reserveCents);
    expect(state.version).toBe(before.version + 1);
  });
  return { state, log };
}

describe('placeBid, for any interleaving of bids and close requests (property)', () => {
  it('keeps every invariant, and replaying its audit log reproduces the final state exactly', () => {
    fc.assert(
      fc.property(termsArbitrary, fc.array(step, { minLength: 1, maxLength: 60 }), (terms, steps) => {
        const auction = JSON.parse(JSON.stringify(terms)) as AuctionTerms;
        const { state, log } = runSteps(auction, steps);
        const replay = replayAudit([auction], log);
        expect(canonical(replay.states.get('lot'))).toBe(canonical(state));
        expect(replay.changes.every((change) => change.agrees)).toBe(true);
        expect(totalAnomalies(countAnomalies([auction], log, [state]))).toBe(0);
      }),
      { ...seeded, numRuns: 400 },
    );
  });
});
