import { ManualClock } from '@twohop/sequence';
import { describe, expect, it } from 'vitest';
import { Batcher } from './Batcher.js';
import { nextRunAt, Throttle } from './Throttle.js';

describe('Throttle', () => {
  it('runs at once, then at most once per interval, folding triggers into one trailing run', () => {
    const clock = new ManualClock();
    const runs: number[] = [];
    const throttle = new Throttle({ intervalMs: 100, clock, run: () => runs.push(clock.now()) });
    throttle.trigger();
    throttle.trigger();
    throttle.trigger();
    expect(runs).toEqual([0]);
    clock.advance(99);
    expect(runs).toEqual([0]);
    clock.advance(1);
    expect(runs).toEqual([0, 100]);
    clock.advance(500);
    throttle.trigger();
    expect(runs).toEqual([0, 100, 600]);
  });

  it('aligned: runs at once after a quiet interval, then on multiples of the interval, the same instants for all', () => {
    const clock = new ManualClock();
    clock.advance(1030);
    const runs: Array<[string, number]> = [];
    const throttle = (name: string) =>
      new Throttle({ intervalMs: 100, aligned: true, clock, run: () => runs.push([name, clock.now()]) });
    const a = throttle('a');
    const b = throttle('b');
    a.trigger();
    expect(runs).toEqual([['a', 1030]]);
    a.trigger();
    clock.advance(45);
    b.trigger();
    b.trigger();
    expect(runs).toEqual([
      ['a', 1030],
      ['b', 1075],
    ]);
    // Both keep triggering: a's next run is the first multiple at least 100 after 1030, b's after 1075; from then on
    // they run together.
    for (let t = 0; t < 300; t += 5) {
      a.trigger();
      b.trigger();
      clock.advance(5);
    }
    expect(runs.slice(2)).toEqual([
      ['a', 1200],
      ['b', 1200],
      ['a', 1300],
      ['b', 1300],
    ]);
    // A quiet interval later, the next trigger runs at once again.
    clock.advance(400);
    b.trigger();
    expect(runs.at(-1)).toEqual(['b', 1775]);
  });

  it('nextRunAt: at once after a quiet interval, else the first multiple an interval after the last run', () => {
    expect(nextRunAt(Number.NEGATIVE_INFINITY, 1234, 100)).toBe(1234);
    expect(nextRunAt(1000, 1100, 100)).toBe(1100);
    expect(nextRunAt(1030, 1050, 100)).toBe(1200);
    expect(nextRunAt(1000, 1050, 100)).toBe(1100);
    expect(nextRunAt(0, 10, 250)).toBe(250);
  });

  it('drops a scheduled run on cancel', () => {
    const clock = new ManualClock();
    let runs = 0;
    const throttle = new Throttle({ intervalMs: 10, clock, run: () => runs++ });
    throttle.trigger();
    throttle.trigger();
    throttle.cancel();
    clock.advance(100);
    expect(runs).toBe(1);
  });
});

describe('Batcher', () => {
  function setup(maxItems: number, maxDelayMs: number) {
    const clock = new ManualClock();
    const batches: number[][] = [];
    const batcher = new Batcher<number>({
      maxItems,
      maxDelayMs,
      clock,
      flush: (items) => batches.push(items),
    });
    return { clock, batches, batcher };
  }

  it('flushes on N items', () => {
    const { batches, batcher } = setup(3, 1000);
    [1, 2, 3, 4].forEach((n) => batcher.add(n));
    expect(batches).toEqual([[1, 2, 3]]);
    expect(batcher.size).toBe(1);
  });

  it('flushes T ms after the first item of a batch', () => {
    const { batches, batcher, clock } = setup(100, 20);
    batcher.add(1);
    clock.advance(15);
    batcher.add(2);
    clock.advance(5);
    expect(batches).toEqual([[1, 2]]);
  });

  it('does nothing on an empty flush', () => {
    const { batches, batcher, clock } = setup(3, 10);
    expect(batcher.flush()).toBe(false);
    clock.advance(100);
    expect(batches).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('cancels the delay timer when a size flush empties the batch', () => {
    const { batches, batcher, clock } = setup(2, 10);
    batcher.add(1);
    batcher.add(2);
    clock.advance(100);
    expect(batches).toEqual([[1, 2]]);
    expect(clock.pendingTimers).toBe(0);
  });
});
