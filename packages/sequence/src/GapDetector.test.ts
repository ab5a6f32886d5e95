import { seededProperty } from '@twohop/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GapDetector } from './GapDetector.js';
import { wrappingSpace } from './SequenceSpace.js';
import { WrappingCounter } from './WrappingCounter.js';

const at = (seq: number, epoch = 'e1') => new GapDetector({ epoch, seq });

describe('GapDetector (linear)', () => {
  it('applies the next seq and advances', () => {
    const detector = at(10);
    expect(detector.accept({ epoch: 'e1', seq: 11 })).toBe('apply');
    expect(detector.applied).toBe(11);
    expect(detector.expected).toBe(12);
  });

  it('drops a seq that was already applied (rule 3)', () => {
    const detector = at(10);
    expect(detector.accept({ epoch: 'e1', seq: 10 })).toBe('duplicate');
    expect(detector.accept({ epoch: 'e1', seq: 3 })).toBe('duplicate');
    expect(detector.applied).toBe(10);
  });

  it('reports a gap and never moves past it (rule 3)', () => {
    const detector = at(10);
    expect(detector.accept({ epoch: 'e1', seq: 12 })).toBe('gap');
    expect(detector.applied).toBe(10);
    expect(detector.accept({ epoch: 'e1', seq: 13 })).toBe('gap');
    expect(detector.accept({ epoch: 'e1', seq: 11 })).toBe('apply');
  });

  it('applies a conflated range that overlaps what was applied', () => {
    const detector = at(10);
    expect(detector.accept({ epoch: 'e1', from: 5, seq: 15 })).toBe('apply');
    expect(detector.applied).toBe(15);
  });

  it('applies a conflated range that starts exactly at the next seq', () => {
    expect(at(10).accept({ epoch: 'e1', from: 11, seq: 40 })).toBe('apply');
  });

  it('reports a gap for a conflated range starting beyond applied + 1', () => {
    expect(at(10).accept({ epoch: 'e1', from: 12, seq: 40 })).toBe('gap');
  });

  it('treats a range wholly inside what was applied as a duplicate', () => {
    expect(at(10).accept({ epoch: 'e1', from: 4, seq: 9 })).toBe('duplicate');
  });

  it('reports a new epoch before looking at seq (rule 4)', () => {
    expect(at(10).accept({ epoch: 'e2', seq: 1 })).toBe('new-epoch');
    expect(at(10).accept({ epoch: 'e2', seq: 11 })).toBe('new-epoch');
  });

  it('calls malformed ranges invalid', () => {
    expect(at(10).classify({ epoch: 'e1', from: 13, seq: 12 })).toBe('invalid');
    expect(at(10).classify({ epoch: 'e1', seq: 11.5 })).toBe('invalid');
    expect(at(10).classify({ epoch: 'e1', seq: -1 })).toBe('invalid');
    expect(at(10).classify({ epoch: 'e1', seq: Number.NaN })).toBe('invalid');
  });

  it('moves to a new position on reset', () => {
    const detector = at(10);
    detector.reset({ epoch: 'e2', seq: 100 });
    expect(detector.position).toEqual({ epoch: 'e2', seq: 100 });
    expect(detector.accept({ epoch: 'e2', seq: 101 })).toBe('apply');
  });

  it('never applies across a gap, whatever arrives (property)', () => {
    const message = fc.record({
      from: fc.integer({ min: 0, max: 60 }),
      length: fc.integer({ min: 0, max: 5 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.array(message, { maxLength: 80 }),
        (start, messages) => {
          const detector = at(start);
          const covered = new Set<number>();
          for (let s = 0; s <= start; s++) covered.add(s);
          for (const { from, length } of messages) {
            const seq = from + length;
            const before = detector.applied;
            const verdict = detector.accept({ epoch: 'e1', from, seq });
            if (verdict === 'apply') {
              // Applying is allowed only when the range joins what is covered: no seq is ever skipped.
              expect(from).toBeLessThanOrEqual(before + 1);
              expect(seq).toBeGreaterThan(before);
              for (let s = from; s <= seq; s++) covered.add(s);
            } else {
              expect(detector.applied).toBe(before);
            }
            for (let s = 0; s <= detector.applied; s++) expect(covered.has(s)).toBe(true);
          }
        },
      ),
      seededProperty('GapDetector never applies across a gap', 0x2b0b),
    );
  });
});

describe('GapDetector (wrap-around 0..255)', () => {
  const space = wrappingSpace(256);
  const wrapAt = (seq: number) => new GapDetector({ epoch: 'bd0', seq }, { space });

  it('applies 255 → 0', () => {
    const detector = wrapAt(255);
    expect(detector.accept({ epoch: 'bd0', seq: 0 })).toBe('apply');
    expect(detector.accept({ epoch: 'bd0', seq: 1 })).toBe('apply');
    expect(detector.applied).toBe(1);
  });

  it('draws the line between old and new at half the space: 127 behind is old, 128 away counts as ahead', () => {
    expect(space.distance(200, 73)).toBe(-127);
    expect(space.distance(200, 72)).toBe(128);
    expect(space.distance(0, 128)).toBe(128);
    expect(space.distance(0, 129)).toBe(-127);
    expect(wrapAt(200).classify({ epoch: 'bd0', seq: 73 })).toBe('duplicate');
    expect(wrapAt(200).classify({ epoch: 'bd0', seq: 72 })).toBe('gap');
    expect(space.advance(250, 10)).toBe(4);
    expect(space.advance(3, -5)).toBe(254);
  });

  it('reports a gap across the wrap: 254 then 1', () => {
    expect(wrapAt(254).accept({ epoch: 'bd0', seq: 1 })).toBe('gap');
  });

  it('calls a number up to half the space behind a duplicate', () => {
    const detector = wrapAt(3);
    expect(detector.classify({ epoch: 'bd0', seq: 3 })).toBe('duplicate');
    expect(detector.classify({ epoch: 'bd0', seq: 250 })).toBe('duplicate');
    expect(detector.classify({ epoch: 'bd0', seq: 132 })).toBe('duplicate');
    expect(detector.classify({ epoch: 'bd0', seq: 131 })).toBe('gap');
  });

  it('calls numbers outside 0..255 invalid', () => {
    expect(wrapAt(3).classify({ epoch: 'bd0', seq: 256 })).toBe('invalid');
  });

  it('follows a WrappingCounter through several wraps without a false gap', () => {
    const counter = new WrappingCounter(256, 250);
    const detector = wrapAt(249);
    for (let i = 0; i < 1000; i++) {
      expect(detector.accept({ epoch: 'bd0', seq: counter.next() })).toBe('apply');
    }
    expect(detector.applied).toBe(counter.current);
  });
});
