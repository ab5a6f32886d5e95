import { describe, expect, it } from 'vitest';
import { Sequencer } from './Sequencer.js';
import { WrappingCounter } from './WrappingCounter.js';
import { wrappingSpace } from './SequenceSpace.js';

describe('Sequencer', () => {
  it('numbers changes one by one within an epoch', () => {
    const sequencer = new Sequencer({ epoch: 'a' });
    expect([sequencer.next(), sequencer.next(), sequencer.next()]).toEqual([1, 2, 3]);
    expect(sequencer.position).toEqual({ epoch: 'a', seq: 3 });
  });

  it('starts a new history on demand', () => {
    const ids = ['a', 'b'];
    const sequencer = new Sequencer({ newEpochId: () => ids.shift() ?? 'z' });
    sequencer.next();
    expect(sequencer.newEpoch()).toBe('b');
    expect(sequencer.position).toEqual({ epoch: 'b', seq: 0 });
    expect(sequencer.next()).toBe(1);
  });

  it('makes distinct random epochs by default', () => {
    expect(new Sequencer().epoch).not.toBe(new Sequencer().epoch);
  });
});

describe('WrappingCounter', () => {
  it('wraps 255 → 0', () => {
    const counter = new WrappingCounter(256, 254);
    expect([counter.next(), counter.next(), counter.next()]).toEqual([254, 255, 0]);
  });

  it('rejects a start outside the space', () => {
    expect(() => new WrappingCounter(256, 256)).toThrow(RangeError);
  });
});

describe('wrappingSpace', () => {
  it('measures signed distances across the wrap', () => {
    const space = wrappingSpace(256);
    expect(space.distance(255, 0)).toBe(1);
    expect(space.distance(0, 255)).toBe(-1);
    expect(space.distance(10, 138)).toBe(128);
    expect(space.distance(10, 139)).toBe(-127);
    expect(space.advance(255, 2)).toBe(1);
  });
});
