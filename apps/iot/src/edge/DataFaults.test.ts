import { describe, expect, it } from 'vitest';
import { DataFaults } from './DataFaults.js';

describe('DataFaults', () => {
  it('passes messages through untouched without a fault', () => {
    const faults = new DataFaults<number>();
    expect([1, 2, 3].flatMap((n) => faults.route(n))).toEqual([1, 2, 3]);
  });

  it('loses exactly the next `count` messages', () => {
    const faults = new DataFaults<number>();
    faults.lose(2);
    expect([1, 2, 3, 4].flatMap((n) => faults.route(n))).toEqual([3, 4]);
    expect(faults.lost).toBe(2);
  });

  it('sends the held message right after the one that followed it', () => {
    const faults = new DataFaults<number>();
    faults.reorder();
    expect([1, 2, 3].flatMap((n) => faults.route(n))).toEqual([2, 1, 3]);
    expect(faults.reordered).toBe(1);
  });

  it('releases a held message before a pause, and drops it at a birth', () => {
    const faults = new DataFaults<number>();
    faults.reorder();
    expect(faults.route(1)).toEqual([]);
    expect(faults.release()).toEqual([1]);
    faults.reorder();
    faults.route(2);
    faults.drop();
    expect(faults.route(3)).toEqual([3]);
    expect(faults.lost).toBe(1);
  });
});
