import { describe, expect, it } from 'vitest';
import { ManualClock } from './ManualClock.js';
import { ReorderWindow, type SequenceGap } from './ReorderWindow.js';
import { wrappingSpace } from './SequenceSpace.js';

function setup(start = 0, options: { capacity?: number; timeoutMs?: number; modulus?: number } = {}) {
  const clock = new ManualClock();
  const delivered: number[] = [];
  const gaps: SequenceGap[] = [];
  const window = new ReorderWindow<string>(
    { epoch: 'e', seq: start },
    {
      clock,
      deliver: (_item, seq) => delivered.push(seq),
      onGap: (gap) => gaps.push(gap),
      timeoutMs: options.timeoutMs ?? 100,
      ...(options.capacity === undefined ? {} : { capacity: options.capacity }),
      ...(options.modulus === undefined ? {} : { space: wrappingSpace(options.modulus) }),
    },
  );
  const push = (seq: number) => window.push({ epoch: 'e', seq }, `m${seq}`);
  return { clock, delivered, gaps, window, push };
}

describe('ReorderWindow', () => {
  it('puts arrivals back in order within the window', () => {
    const { delivered, push, window } = setup();
    expect(push(2)).toBe('buffered');
    expect(push(3)).toBe('buffered');
    expect(push(1)).toBe('delivered');
    expect(delivered).toEqual([1, 2, 3]);
    expect(window.pending).toBe(0);
  });

  it('declares a gap when a hole outlives the timeout, and drops what waited', () => {
    const { clock, delivered, gaps, push, window } = setup(0, { timeoutMs: 100 });
    push(1);
    push(3);
    clock.advance(99);
    expect(gaps).toEqual([]);
    clock.advance(1);
    expect(gaps).toEqual([{ expected: 2, received: 3, reason: 'timeout' }]);
    expect(window.gapped).toBe(true);
    // The late arrival can no longer be applied: the window waits for a reset (a rebirth).
    expect(push(2)).toBe('gap');
    expect(delivered).toEqual([1]);
  });

  it('times the hole from the oldest waiting arrival, not the latest', () => {
    const { clock, gaps, push } = setup(0, { timeoutMs: 100 });
    push(2);
    clock.advance(60);
    push(3);
    clock.advance(40);
    expect(gaps).toHaveLength(1);
  });

  it('restarts the timer for the next hole once one fills', () => {
    const { clock, delivered, gaps, push } = setup(0, { timeoutMs: 100 });
    push(2);
    push(5);
    clock.advance(50);
    push(1); // fills the first hole; 5 still waits for 3 and 4
    expect(delivered).toEqual([1, 2]);
    clock.advance(49);
    expect(gaps).toEqual([]);
    clock.advance(1);
    expect(gaps).toEqual([{ expected: 3, received: 5, reason: 'timeout' }]);
  });

  it('declares a gap at once when an arrival is further ahead than the capacity', () => {
    const { gaps, push } = setup(0, { capacity: 4 });
    expect(push(6)).toBe('gap');
    expect(gaps[0]).toMatchObject({ expected: 1, received: 6, reason: 'capacity' });
  });

  it('drops duplicates, including one already waiting', () => {
    const { push } = setup(5);
    expect(push(5)).toBe('duplicate');
    expect(push(7)).toBe('buffered');
    expect(push(7)).toBe('duplicate');
  });

  it('starts afresh on reset after a rebirth', () => {
    const { clock, delivered, push, window } = setup(0, { timeoutMs: 10 });
    push(2);
    clock.advance(10);
    window.reset({ epoch: 'e', seq: 40 });
    expect(push(41)).toBe('delivered');
    expect(delivered).toEqual([41]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('reorders across the 255 → 0 wrap', () => {
    const { delivered, push } = setup(253, { modulus: 256 });
    push(0);
    push(255);
    push(1);
    push(254);
    expect(delivered).toEqual([254, 255, 0, 1]);
  });

  it('reports another epoch without touching its state', () => {
    const { window } = setup(3);
    expect(window.push({ epoch: 'other', seq: 1 }, 'x')).toBe('new-epoch');
    expect(window.position).toEqual({ epoch: 'e', seq: 3 });
  });

  it('refuses a capacity of half the wrapping space', () => {
    expect(() => setup(0, { modulus: 256, capacity: 128 })).toThrow(RangeError);
  });
});
