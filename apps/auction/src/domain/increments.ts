/**
 * The bid increment table: how much a new bid must add to the current price. eBay's table, in integer cents. It is
 * written once, here: the in-process rules read it through {@link incrementFor}, and the Redis store's Lua script is
 * generated from the same rows (`src/server/store/bidScript.ts`), so the two can never disagree.
 */

/** One row: prices below `belowCents` (and at or above the previous row's bound) step by `stepCents`. */
export interface IncrementRow {
  /** The row applies to prices below this bound; `null` on the last row (every price above). */
  readonly belowCents: number | null;
  readonly stepCents: number;
}

/** eBay's increments: $0.05 under $1, $0.25 to $5, $0.50 to $25, $1 to $100, $2.50 to $250, … $100 from $5,000. */
export const INCREMENT_TABLE: readonly IncrementRow[] = [
  { belowCents: 100, stepCents: 5 },
  { belowCents: 500, stepCents: 25 },
  { belowCents: 2_500, stepCents: 50 },
  { belowCents: 10_000, stepCents: 100 },
  { belowCents: 25_000, stepCents: 250 },
  { belowCents: 50_000, stepCents: 500 },
  { belowCents: 100_000, stepCents: 1_000 },
  { belowCents: 250_000, stepCents: 2_500 },
  { belowCents: 500_000, stepCents: 5_000 },
  { belowCents: null, stepCents: 10_000 },
];

/** The increment at `priceCents`: the step of the first row whose bound is above the price. */
export function incrementFor(priceCents: number, table: readonly IncrementRow[] = INCREMENT_TABLE): number {
  for (const row of table) if (row.belowCents === null || priceCents < row.belowCents) return row.stepCents;
  // A table always ends with an open row; a table without one steps by its last row's amount.
  return table.at(-1)!.stepCents;
}
