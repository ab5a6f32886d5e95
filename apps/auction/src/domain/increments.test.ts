import { describe, expect, it } from 'vitest';
import { INCREMENT_TABLE, incrementFor } from './increments.js';

describe('the increment table (eBay’s, in cents)', () => {
  // Each edge: the last price of a band, and the first of the next.
  it.each([
    [1, 5],
    [99, 5],
    [100, 25],
    [499, 25],
    [500, 50],
    [2_499, 50],
    [2_500, 100],
    [9_999, 100],
    [10_000, 250],
    [24_999, 250],
    [25_000, 500],
    [49_999, 500],
    [50_000, 1_000],
    [99_999, 1_000],
    [100_000, 2_500],
    [249_999, 2_500],
    [250_000, 5_000],
    [499_999, 5_000],
    [500_000, 10_000],
    [1_000_000_000_000, 10_000],
  ])('at %i cents the increment is %i cents', (price, step) => {
    expect(incrementFor(price)).toBe(step);
  });

  it('has ascending bounds, growing steps and an open last row', () => {
    const bounds = INCREMENT_TABLE.slice(0, -1).map((row) => row.belowCents!);
    expect(bounds).toEqual([...bounds].sort((a, b) => a - b));
    const steps = INCREMENT_TABLE.map((row) => row.stepCents);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(INCREMENT_TABLE.at(-1)!.belowCents).toBeNull();
  });

  it('a table without an open row steps by its last row above its last bound', () => {
    expect(incrementFor(1_000, [{ belowCents: 100, stepCents: 7 }])).toBe(7);
  });
});
