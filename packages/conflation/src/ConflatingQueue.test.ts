import { seededProperty } from '@twohop/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflatingQueue } from './ConflatingQueue.js';

type Change = { key: string; value: number | null };

/** Applies keyed set/remove changes (null = remove) to a map, the way a replica does. */
function applyAll(
  state: Map<string, number>,
  changes: Iterable<{ key: string; value: number | null }>,
): void {
  for (const { key, value } of changes) {
    if (value === null) state.delete(key);
    else state.set(key, value);
  }
}

describe('ConflatingQueue', () => {
  it('keeps the latest value per key and the merged range', () => {
    const queue = new ConflatingQueue<string, number>();
    queue.push('a', 1, 1);
    queue.push('b', 2, 2);
    queue.push('a', 3, 3);
    expect(queue.size).toBe(2);
    const batch = queue.drain();
    expect(batch).toMatchObject({ from: 1, seq: 3 });
    expect(batch?.changes).toEqual([
      { key: 'a', value: 3, from: 1, seq: 3 },
      { key: 'b', value: 2, from: 2, seq: 2 },
    ]);
    expect(queue.stats).toEqual({ pushed: 3, merged: 1, drained: 2, drains: 1, highWater: 2 });
  });

  it('merges with the given function', () => {
    const queue = new ConflatingQueue<string, Record<string, number>>({ merge: (a, b) => ({ ...a, ...b }) });
    queue.push('t', { bid: 1 }, 1);
    queue.push('t', { ask: 2 }, 2);
    expect(queue.drain()?.changes[0]?.value).toEqual({ bid: 1, ask: 2 });
  });

  it('returns undefined on an empty flush, and the next range still joins the last one', () => {
    const queue = new ConflatingQueue<string, number>({ after: 10 });
    expect(queue.drain()).toBeUndefined();
    queue.push('a', 1, 11);
    expect(queue.drain()).toMatchObject({ from: 11, seq: 11 });
    expect(queue.drain()).toBeUndefined();
    queue.push('a', 2, 12);
    expect(queue.drain()).toMatchObject({ from: 12, seq: 12 });
  });

  it('moves updated keys to the end in last-updated order', () => {
    const queue = new ConflatingQueue<string, number>({ order: 'last-updated' });
    queue.push('a', 1, 1);
    queue.push('b', 1, 2);
    queue.push('a', 2, 3);
    expect(queue.drain()?.changes.map((c) => c.key)).toEqual(['b', 'a']);
  });

  it('rejects a push that goes backwards', () => {
    const queue = new ConflatingQueue<string, number>();
    queue.push('a', 1, 5);
    queue.push('b', 1, 5); // several keys may share a seq
    expect(() => queue.push('a', 1, 4)).toThrow(RangeError);
  });

  it('holds no more than 100 entries for a burst of 100,000 changes over 100 keys, and drains the last of each', () => {
    const queue = new ConflatingQueue<number, number>();
    const oracle = new Map<number, number>(); // what a consumer applying every change would hold
    for (let seq = 1; seq <= 100_000; seq++) {
      queue.push(seq % 100, seq, seq);
      oracle.set(seq % 100, seq);
    }
    expect(queue.stats.highWater).toBe(100);
    expect(queue.size).toBe(100);
    const batch = queue.drain();
    expect(batch).toMatchObject({ from: 1, seq: 100_000 });
    expect(new Map(batch?.changes.map((change) => [change.key, change.value]))).toEqual(oracle);
    // Each entry's range is that key's own: first push 1..100, last push 99,901..100,000.
    for (const change of batch?.changes ?? []) {
      expect(change.from).toBe(change.key === 0 ? 100 : change.key);
      expect(change.seq).toBe(change.value);
    }
  });

  it('restarts its range after a reset', () => {
    const queue = new ConflatingQueue<string, number>();
    queue.push('a', 1, 1);
    queue.reset(50);
    expect(queue.size).toBe(0);
    queue.push('a', 2, 51);
    expect(queue.drain()).toMatchObject({ from: 51, seq: 51 });
  });

  const changes = fc.array(
    fc.record({
      // 20 keys: more than any small fixed batch or buffer a drain might cap itself at.
      key: fc.integer({ min: 0, max: 19 }).map((n) => `k${n}`),
      value: fc.option(fc.integer(), { nil: null }),
      // A drain after about one change in 15, so the queue often holds many keys at once.
      drainAfter: fc.integer({ min: 0, max: 14 }).map((n) => n === 0),
    }),
    { maxLength: 300 },
  );

  it('conflate-then-apply equals apply-all, for any change sequence and drain points (property)', () => {
    fc.assert(
      fc.property(changes, fc.constantFrom('first-queued', 'last-updated'), (sequence, order) => {
        const queue = new ConflatingQueue<string, number | null>({ order });
        const direct = new Map<string, number>();
        const conflated = new Map<string, number>();
        sequence.forEach(({ key, value, drainAfter }, i) => {
          applyAll(direct, [{ key, value }]);
          queue.push(key, value, i + 1);
          if (drainAfter) applyAll(conflated, queue.drain()?.changes ?? []);
        });
        applyAll(conflated, queue.drain()?.changes ?? []);
        expect(conflated).toEqual(direct);
      }),
      seededProperty('conflate-then-apply', 0xc0f1a7e),
    );
  });

  it('drained ranges are contiguous and cover every push (property)', () => {
    fc.assert(
      fc.property(changes, fc.integer({ min: 0, max: 1000 }), (sequence, after) => {
        const queue = new ConflatingQueue<string, number | null>({ after });
        let through = after;
        const check = () => {
          const batch = queue.drain();
          if (batch === undefined) return;
          expect(batch.from).toBe(through + 1);
          expect(batch.seq).toBeGreaterThanOrEqual(batch.from);
          for (const change of batch.changes) {
            expect(change.from).toBeGreaterThanOrEqual(batch.from);
            expect(change.seq).toBeLessThanOrEqual(batch.seq);
          }
          through = batch.seq;
        };
        sequence.forEach(({ key, value, drainAfter }: Change & { drainAfter: boolean }, i) => {
          queue.push(key, value, after + i + 1);
          if (drainAfter) check();
        });
        check();
        expect(through).toBe(after + sequence.length);
      }),
      seededProperty('contiguous drained ranges', 0x5e9),
    );
  });
});
