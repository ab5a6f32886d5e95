import { ManualClock } from '@twohop/sequence';
import { describe, expect, it } from 'vitest';
import { Batcher } from './Batcher.js';
import { ConflatingQueue } from './ConflatingQueue.js';
import { PriorityLanes, type LaneOverflow } from './PriorityLanes.js';
import { Throttle } from './Throttle.js';

// The edges of conflation: option checks, each timer that must be cancelled, each boundary a comparison can get
// wrong by one. Found by mutation testing (`pnpm mutate conflation`).

describe('ConflatingQueue edges', () => {
  it('starts the first range right after `after`, even when the first push is further on', () => {
    const queue = new ConflatingQueue<string, number>({ after: 10 });
    queue.push('a', 1, 15);
    expect(queue.lastSeq).toBe(15);
    expect(queue.drain()).toMatchObject({ from: 11, seq: 15 });
  });

  it('keeps its high-water mark after a drain', () => {
    const queue = new ConflatingQueue<string, number>();
    queue.push('a', 1, 1);
    queue.push('b', 1, 2);
    queue.push('c', 1, 3);
    queue.drain();
    queue.push('a', 2, 4);
    expect(queue.stats.highWater).toBe(3);
    expect(queue.lastSeq).toBe(4);
  });

  it('names both seqs when a push goes backwards', () => {
    const queue = new ConflatingQueue<string, number>();
    queue.push('a', 1, 9);
    expect(() => queue.push('a', 1, 8)).toThrow('seq 8 pushed after 9: pushes must not go backwards');
  });
});

describe('Batcher edges', () => {
  const setup = (maxItems = 3, maxDelayMs = 10) => {
    const clock = new ManualClock();
    const flushed: string[][] = [];
    const batcher = new Batcher<string>({
      maxItems,
      maxDelayMs,
      clock,
      flush: (items) => flushed.push(items),
    });
    return { clock, flushed, batcher };
  };

  it('needs at least one item per batch and a delay of zero or more', () => {
    const flush = () => {};
    expect(() => new Batcher({ maxItems: 0, maxDelayMs: 1, flush })).toThrow('maxItems must be >= 1');
    expect(() => new Batcher({ maxItems: Number.NaN, maxDelayMs: 1, flush })).toThrow(RangeError);
    expect(() => new Batcher({ maxItems: 1, maxDelayMs: -1, flush })).toThrow('maxDelayMs must be >= 0');
    expect(() => new Batcher({ maxItems: 1, maxDelayMs: Number.NaN, flush })).toThrow(RangeError);
    expect(() => new Batcher({ maxItems: 1, maxDelayMs: 0, flush })).not.toThrow();
  });

  it('a batch of one flushes at once', () => {
    const { flushed, batcher } = setup(1);
    batcher.add('a');
    expect(flushed).toEqual([['a']]);
  });

  it('a manual flush cancels the delay timer, so the next batch gets its whole delay', () => {
    const { clock, flushed, batcher } = setup(3, 10);
    batcher.add('a');
    clock.advance(5);
    expect(batcher.flush()).toBe(true);
    expect(batcher.flush()).toBe(false);
    clock.advance(1);
    batcher.add('b');
    clock.advance(4); // t = 10: the first batch's timer, had it survived
    expect(flushed).toEqual([['a']]);
    clock.advance(6); // t = 16: b's own deadline
    expect(flushed).toEqual([['a'], ['b']]);
  });

  it('clear drops what waits and its timer, without flushing', () => {
    const { clock, flushed, batcher } = setup(3, 10);
    batcher.add('a');
    batcher.clear();
    expect(batcher.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    clock.advance(20);
    expect(flushed).toEqual([]);
    batcher.add('b');
    clock.advance(10);
    expect(flushed).toEqual([['b']]);
  });
});

describe('Throttle edges', () => {
  it('needs an interval of zero or more', () => {
    expect(() => new Throttle({ intervalMs: -1, run: () => {} })).toThrow('intervalMs must be >= 0');
    expect(() => new Throttle({ intervalMs: Number.NaN, run: () => {} })).toThrow(RangeError);
  });

  it('runs at once exactly one interval after the last run, and says when a run is pending', () => {
    const clock = new ManualClock();
    let runs = 0;
    const throttle = new Throttle({ intervalMs: 100, clock, run: () => runs++ });
    throttle.trigger();
    expect(runs).toBe(1);
    expect(throttle.pending).toBe(false);
    clock.advance(50);
    throttle.trigger();
    expect(throttle.pending).toBe(true);
    clock.advance(50);
    expect(runs).toBe(2);
    expect(throttle.pending).toBe(false);
    clock.advance(100);
    throttle.trigger(); // exactly 100 ms after the last run
    expect(runs).toBe(3);
    expect(throttle.pending).toBe(false);
  });
});

describe('PriorityLanes edges', () => {
  const setup = (options: { intervalMs?: number; priorityCapacity?: number } = {}) => {
    const clock = new ManualClock();
    const overflows: LaneOverflow[] = [];
    const lanes = new PriorityLanes<string, number, string, string>({
      clock,
      onReady: () => {},
      onOverflow: (overflow) => overflows.push(overflow),
      priorityCapacity: options.priorityCapacity ?? 2,
      conflated: { intervalMs: options.intervalMs ?? 100 },
    });
    return { clock, lanes, overflows };
  };

  it('works without batched options, with their defaults (100 items, 50 ms)', () => {
    const { clock, lanes } = setup();
    expect(lanes.pushBatched('a')).toBe(true);
    expect(lanes.take()).toBeUndefined();
    clock.advance(50);
    expect(lanes.take()).toEqual({ lane: 'batched', items: ['a'] });
  });

  it('counts both unconflated lanes, the open batch included', () => {
    const { lanes } = setup();
    lanes.pushPriority('p');
    lanes.pushBatched('b1');
    lanes.pushBatched('b2');
    expect(lanes.unconflatedQueued).toBe(3);
    lanes.take();
    expect(lanes.unconflatedQueued).toBe(2);
  });

  it('after an overflow refuses every push, queues nothing, until reset', () => {
    const { lanes, overflows } = setup({ priorityCapacity: 1 });
    expect(lanes.pushPriority('a')).toBe(true);
    expect(lanes.pushPriority('b')).toBe(false);
    expect(overflows).toEqual([{ lane: 'priority', policy: 'resync', queued: 1 }]);
    expect(lanes.pushPriority('c')).toBe(false);
    expect(lanes.pushBatched('d')).toBe(false);
    expect(lanes.pushConflated('k', 1, 1)).toBe(false);
    expect(lanes.unconflatedQueued).toBe(0);
    expect(lanes.take()).toBeUndefined();
    lanes.reset(0);
    expect(lanes.pushConflated('k', 1, 1)).toBe(true);
    expect(overflows).toHaveLength(1);
  });

  it('a conflated run that finds the queue already drained hands over nothing', () => {
    const { clock, lanes } = setup({ intervalMs: 100 });
    lanes.pushConflated('k', 1, 1); // runs at once: due
    lanes.pushConflated('k', 2, 2); // within the interval: a trailing run at 100
    expect(lanes.take()).toMatchObject({ lane: 'conflated', batch: { from: 1, seq: 2 } });
    clock.advance(100); // the trailing run finds nothing queued
    expect(lanes.take()).toBeUndefined();
  });

  it('a reset keeps the conflated lane to its interval: nothing is due until the next run', () => {
    const { clock, lanes } = setup({ intervalMs: 100, priorityCapacity: 1 });
    lanes.pushConflated('k', 1, 1);
    expect(lanes.take()).toMatchObject({ lane: 'conflated' });
    lanes.pushPriority('p');
    lanes.pushPriority('overflow');
    lanes.reset(1);
    lanes.pushConflated('k', 2, 2);
    expect(lanes.take()).toBeUndefined();
    clock.advance(100);
    expect(lanes.take()).toMatchObject({ lane: 'conflated', batch: { from: 2, seq: 2 } });
  });

  it('dispose cancels every timer', () => {
    const { clock, lanes } = setup({ intervalMs: 100 });
    lanes.pushConflated('k', 1, 1);
    lanes.pushConflated('k', 2, 2);
    lanes.pushBatched('b');
    expect(clock.pendingTimers).toBe(2);
    lanes.dispose();
    expect(clock.pendingTimers).toBe(0);
    expect(lanes.take()).toBeUndefined();
  });
});
