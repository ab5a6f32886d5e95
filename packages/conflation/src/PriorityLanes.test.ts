import { ManualClock } from '@twohop/sequence';
import { describe, expect, it } from 'vitest';
import { PriorityLanes, type LaneOverflow } from './PriorityLanes.js';

function setup(options: { intervalMs?: number; priorityCapacity?: number; batchedCapacity?: number } = {}) {
  const clock = new ManualClock();
  let ready = 0;
  const overflows: LaneOverflow[] = [];
  const lanes = new PriorityLanes<string, number, string, string>({
    clock,
    onReady: () => ready++,
    onOverflow: (overflow) => overflows.push(overflow),
    priorityCapacity: options.priorityCapacity ?? 3,
    conflated: { intervalMs: options.intervalMs ?? 100 },
    batched: { maxItems: 2, maxDelayMs: 10, capacity: options.batchedCapacity ?? 4 },
  });
  return { clock, lanes, overflows, readyCount: () => ready };
}

describe('PriorityLanes', () => {
  it('hands out priority, then batched, then conflated frames', () => {
    const { lanes } = setup();
    lanes.pushConflated('k', 1, 1);
    lanes.pushBatched('b1');
    lanes.pushBatched('b2');
    lanes.pushPriority('p1');
    expect(lanes.take()).toEqual({ lane: 'priority', items: ['p1'] });
    expect(lanes.take()).toEqual({ lane: 'batched', items: ['b1', 'b2'] });
    expect(lanes.take()).toMatchObject({ lane: 'conflated', batch: { from: 1, seq: 1 } });
    expect(lanes.take()).toBeUndefined();
  });

  it('gives the conflated lane at most one frame per interval, merging in between', () => {
    const { clock, lanes, readyCount } = setup({ intervalMs: 100 });
    lanes.pushConflated('k', 1, 1);
    expect(lanes.take()).toMatchObject({ lane: 'conflated' });
    lanes.pushConflated('k', 2, 2);
    lanes.pushConflated('k', 3, 3);
    expect(lanes.take()).toBeUndefined();
    const before = readyCount();
    clock.advance(100);
    expect(readyCount()).toBe(before + 1);
    const frame = lanes.take();
    expect(frame).toMatchObject({ lane: 'conflated', batch: { from: 2, seq: 3 } });
    expect(frame?.lane === 'conflated' && frame.batch.changes.map((c) => c.value)).toEqual([3]);
  });

  it('releaseConflated makes the conflated lane due before its interval, once, and only when it holds something', () => {
    const { clock, lanes, readyCount } = setup({ intervalMs: 100 });
    lanes.pushConflated('k', 1, 1);
    expect(lanes.take()).toMatchObject({ lane: 'conflated' });
    lanes.pushConflated('k', 2, 2);
    expect(lanes.take()).toBeUndefined();
    const before = readyCount();
    lanes.releaseConflated();
    expect(readyCount()).toBe(before + 1);
    expect(lanes.take()).toMatchObject({ lane: 'conflated', batch: { from: 2, seq: 2 } });
    lanes.releaseConflated();
    expect(readyCount()).toBe(before + 1);
    expect(lanes.take()).toBeUndefined();
    clock.advance(100);
    expect(lanes.take()).toBeUndefined();
  });

  it('keeps merging while the consumer does not take, bounded by keys', () => {
    const { clock, lanes } = setup({ intervalMs: 0 });
    const oracle = new Map<string, number>();
    for (let seq = 1; seq <= 10_000; seq++) {
      lanes.pushConflated(`k${seq % 20}`, seq, seq);
      oracle.set(`k${seq % 20}`, seq);
    }
    clock.advance(1);
    expect(lanes.conflatedQueue.size).toBe(20);
    const frame = lanes.take();
    expect(frame).toMatchObject({ lane: 'conflated', batch: { from: 1, seq: 10_000 } });
    const drained = frame?.lane === 'conflated' ? frame.batch.changes : [];
    expect(new Map(drained.map((change) => [change.key, change.value]))).toEqual(oracle);
  });

  it('never drops a priority item silently: overflow tells the owner and clears the lanes', () => {
    const { lanes, overflows } = setup({ priorityCapacity: 2 });
    expect(lanes.pushPriority('a')).toBe(true);
    expect(lanes.pushPriority('b')).toBe(true);
    expect(lanes.pushPriority('c')).toBe(false);
    expect(overflows).toEqual([{ lane: 'priority', policy: 'resync', queued: 2 }]);
    expect(lanes.overflowed).toBe(true);
    expect(lanes.pushPriority('d')).toBe(false);
    expect(overflows).toHaveLength(1);
    expect(lanes.take()).toBeUndefined();
    lanes.reset(40);
    expect(lanes.pushPriority('e')).toBe(true);
    lanes.pushConflated('k', 1, 41);
    expect(lanes.take()).toEqual({ lane: 'priority', items: ['e'] });
    expect(lanes.take()).toMatchObject({ lane: 'conflated', batch: { from: 41, seq: 41 } });
  });

  it('bounds the batched lane with the same policy', () => {
    const { lanes, overflows } = setup({ batchedCapacity: 3 });
    ['a', 'b', 'c'].forEach((item) => lanes.pushBatched(item));
    expect(lanes.pushBatched('d')).toBe(false);
    expect(overflows).toEqual([{ lane: 'batched', policy: 'resync', queued: 3 }]);
  });

  it('flushes a partial batch after its delay', () => {
    const { clock, lanes } = setup();
    lanes.pushBatched('x');
    expect(lanes.take()).toBeUndefined();
    clock.advance(10);
    expect(lanes.take()).toEqual({ lane: 'batched', items: ['x'] });
    expect(lanes.unconflatedQueued).toBe(0);
  });
});
