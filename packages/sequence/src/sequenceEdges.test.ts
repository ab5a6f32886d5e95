import { describe, expect, it } from 'vitest';
import { systemClock } from './Clock.js';
import { GapDetector, isWellFormed } from './GapDetector.js';
import { ManualClock } from './ManualClock.js';
import { ReorderWindow, type SequenceGap } from './ReorderWindow.js';
import { linearSpace, wrappingSpace } from './SequenceSpace.js';
import { Sequencer } from './Sequencer.js';
import { WrappingCounter } from './WrappingCounter.js';

// The edges of the sequence rules: the boundaries a comparison can get wrong by one, each argument a check can
// drop, each timer that must be cancelled. Found by mutation testing (`pnpm mutate sequence`).

describe('well-formed ranges', () => {
  it('accepts a single seq and a forward range, in either space', () => {
    expect(isWellFormed({ epoch: 'e', seq: 0 })).toBe(true);
    expect(isWellFormed({ epoch: 'e', from: 3, seq: 3 })).toBe(true);
    expect(isWellFormed({ epoch: 'e', from: 3, seq: 7 })).toBe(true);
    expect(isWellFormed({ epoch: 'e', from: 254, seq: 2 }, wrappingSpace(256))).toBe(true);
  });

  it('refuses a backward range, an invalid seq or an invalid from', () => {
    expect(isWellFormed({ epoch: 'e', from: 7, seq: 3 })).toBe(false);
    expect(isWellFormed({ epoch: 'e', seq: -1 })).toBe(false);
    expect(isWellFormed({ epoch: 'e', from: -1, seq: 3 })).toBe(false);
    expect(isWellFormed({ epoch: 'e', from: 1.5, seq: 3 })).toBe(false);
    expect(isWellFormed({ epoch: 'e', seq: 300 }, wrappingSpace(256))).toBe(false);
  });

  it('the detector classifies the same ranges as invalid, and only those', () => {
    const detector = new GapDetector({ epoch: 'e', seq: 5 });
    expect(detector.classify({ epoch: 'e', from: 8, seq: 6 })).toBe('invalid');
    expect(detector.classify({ epoch: 'e', seq: 6.5 })).toBe('invalid');
    expect(detector.classify({ epoch: 'e', from: -2, seq: 6 })).toBe('invalid');
    expect(detector.classify({ epoch: 'e', from: 0.5, seq: 6 })).toBe('invalid');
    expect(detector.classify({ epoch: 'e', from: 2, seq: 9 })).toBe('apply');
    expect(detector.classify({ epoch: 'e', from: 6, seq: 6 })).toBe('apply');
  });

  it('advanceTo moves the applied position after a classify', () => {
    const detector = new GapDetector({ epoch: 'e', seq: 5 });
    expect(detector.classify({ epoch: 'e', from: 6, seq: 9 })).toBe('apply');
    detector.advanceTo(9);
    expect(detector.position).toEqual({ epoch: 'e', seq: 9 });
    expect(detector.expected).toBe(10);
  });
});

describe('sequence spaces', () => {
  it('the linear space starts at 0 and has no negative or fractional seqs', () => {
    expect(linearSpace.isValid(0)).toBe(true);
    expect(linearSpace.isValid(-1)).toBe(false);
    expect(linearSpace.isValid(2.5)).toBe(false);
    expect(linearSpace.isValid(Number.MAX_SAFE_INTEGER + 1)).toBe(false);
  });

  it('the wrapping space holds exactly 0..modulus-1', () => {
    const space = wrappingSpace(256);
    expect(space.isValid(0)).toBe(true);
    expect(space.isValid(255)).toBe(true);
    expect(space.isValid(256)).toBe(false);
    expect(space.isValid(-1)).toBe(false);
    expect(space.isValid(1.5)).toBe(false);
  });

  it('needs an integer modulus of at least 4', () => {
    expect(() => wrappingSpace(3)).toThrow(/modulus must be an integer >= 4/);
    expect(() => wrappingSpace(4.5)).toThrow(RangeError);
    expect(wrappingSpace(4).advance(3, 1)).toBe(0);
  });

  it('a wrapping counter refuses a start outside its space, naming the range', () => {
    expect(() => new WrappingCounter(16, 16)).toThrow('start 16 is outside 0..15');
    expect(new WrappingCounter(16, 15).next()).toBe(15);
  });

  it('a sequencer reports its seq', () => {
    const sequencer = new Sequencer({ epoch: 'e', seq: 41 });
    sequencer.next();
    expect(sequencer.seq).toBe(42);
  });
});

describe('ManualClock', () => {
  it('gives every timer its own handle, so clearing one leaves the others', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const a = clock.setTimeout(() => fired.push('a'), 10);
    const b = clock.setTimeout(() => fired.push('b'), 10);
    expect(a).not.toBe(b);
    clock.clearTimeout(a);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(10);
    expect(fired).toEqual(['b']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('fires in time order, ties in scheduling order, with now() at each timer’s time', () => {
    const clock = new ManualClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`late@${clock.now()}`), 30);
    clock.setTimeout(() => fired.push(`first@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`second@${clock.now()}`), 10);
    clock.advance(50);
    expect(fired).toEqual(['first@110', 'second@110', 'late@130']);
    expect(clock.now()).toBe(150);
  });

  it('runAll fires every timer, including ones they schedule, and refuses one that re-arms forever', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 5);
    }, 20);
    clock.runAll();
    expect(fired).toEqual([20, 25]);
    expect(clock.now()).toBe(25);
    let rearmed = 0;
    const rearm = () => {
      rearmed++;
      clock.setTimeout(rearm, 1);
    };
    clock.setTimeout(rearm, 1);
    expect(() => clock.runAll(50)).toThrow(/more than 50 timers fired/);
    expect(rearmed).toBe(50);
  });
});

describe('the system clock', () => {
  it('reads a monotonic time, and runs and cancels timers', async () => {
    const start = systemClock.now();
    expect(typeof start).toBe('number');
    let cancelledRan = false;
    systemClock.clearTimeout(systemClock.setTimeout(() => (cancelledRan = true), 0));
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 1));
    expect(systemClock.now()).toBeGreaterThanOrEqual(start);
    expect(cancelledRan).toBe(false);
  });
});

describe('ReorderWindow edges', () => {
  function setup(capacity = 4) {
    const clock = new ManualClock();
    const delivered: number[] = [];
    const gaps: SequenceGap[] = [];
    const window = new ReorderWindow<string>(
      { epoch: 'e', seq: 0 },
      {
        clock,
        capacity,
        timeoutMs: 100,
        deliver: (_item, seq) => delivered.push(seq),
        onGap: (g) => gaps.push(g),
      },
    );
    const push = (seq: number, epoch = 'e') => window.push({ epoch, seq }, `m${seq}`);
    return { clock, delivered, gaps, window, push };
  }

  it('waits for an arrival exactly `capacity` ahead, and declares a gap one further', () => {
    const { push, gaps } = setup(4);
    expect(push(4)).toBe('buffered'); // 4 ahead of 0
    expect(push(5)).toBe('gap');
    expect(gaps).toEqual([{ expected: 1, received: 5, reason: 'capacity' }]);
  });

  it('holds at most `capacity` arrivals', () => {
    const { push, gaps } = setup(4);
    expect(push(2)).toBe('buffered');
    expect(push(3)).toBe('buffered');
    expect(push(4)).toBe('buffered');
    expect(push(1)).toBe('delivered');
    const second = setup(3);
    expect(second.push(2)).toBe('buffered');
    expect(second.push(3)).toBe('buffered');
    expect(second.push(4)).toBe('gap');
    expect(second.gaps[0]?.reason).toBe('capacity');
    expect(gaps).toEqual([]);
  });

  it('reports another epoch and a malformed seq even after a gap', () => {
    const { push } = setup(2);
    expect(push(9)).toBe('gap');
    expect(push(1, 'other')).toBe('new-epoch');
    expect(push(-1)).toBe('invalid');
    expect(push(1)).toBe('gap');
  });

  it('names the capacity rule when refusing one too large', () => {
    expect(
      () =>
        new ReorderWindow(
          { epoch: 'e', seq: 0 },
          { space: wrappingSpace(16), capacity: 8, deliver() {}, onGap() {} },
        ),
    ).toThrow('capacity must be less than half the sequence space');
  });

  it('times the oldest arrival even when a younger one was pushed first into an emptier slot', () => {
    const { clock, push, gaps } = setup(8);
    push(5);
    clock.advance(60);
    push(3);
    clock.advance(39);
    expect(gaps).toEqual([]);
    clock.advance(1); // 100 ms after seq 5 arrived
    expect(gaps).toEqual([{ expected: 1, received: 5, reason: 'timeout' }]);
  });

  it('between arrivals of the same moment, reports the first to wait when the hole times out', () => {
    const { clock, push, gaps } = setup(8);
    push(3);
    push(5);
    clock.advance(100);
    expect(gaps).toEqual([{ expected: 1, received: 3, reason: 'timeout' }]);
  });

  it('leaves no timer behind after a gap, a reset or dispose', () => {
    const { clock, push, window } = setup(8);
    push(3);
    expect(clock.pendingTimers).toBe(1);
    push(20); // a capacity gap clears the timeout timer
    expect(clock.pendingTimers).toBe(0);
    window.reset({ epoch: 'e', seq: 20 });
    push(22);
    expect(clock.pendingTimers).toBe(1);
    window.reset({ epoch: 'e', seq: 30 });
    expect(clock.pendingTimers).toBe(0);
    push(32);
    window.dispose();
    expect(clock.pendingTimers).toBe(0);
    expect(window.pending).toBe(0);
  });

  it('keeps one timer, re-armed for the next oldest when the oldest is released', () => {
    const { clock, push, gaps, delivered } = setup(8);
    push(2);
    clock.advance(50);
    push(4);
    push(1); // releases 1, 2; 4 waits (3 missing), timed from its own arrival
    expect(delivered).toEqual([1, 2]);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(99);
    expect(gaps).toEqual([]);
    clock.advance(1);
    expect(gaps).toEqual([{ expected: 3, received: 4, reason: 'timeout' }]);
  });
});
