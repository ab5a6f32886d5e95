import { describe, expect, it } from 'vitest';
import { HistoryRing } from './HistoryRing.js';
import { keyedState, setKey } from './keyedState.js';
import { StreamPublisher } from './StreamPublisher.js';

const publisher = (historyCapacity = 4) =>
  new StreamPublisher({
    stream: 'book:T',
    model: keyedState<number>(),
    historyCapacity,
    sequencer: { epoch: 'e1', newEpochId: () => 'e2' },
    checksum: (state) => state.size,
  });

describe('StreamPublisher', () => {
  it('numbers, records and announces each change', () => {
    const source = publisher();
    const seen: number[] = [];
    source.subscribe((delta) => seen.push(delta.seq));
    const delta = source.publish([setKey('a', 1)]);
    expect(delta).toEqual({
      type: 'delta',
      stream: 'book:T',
      epoch: 'e1',
      seq: 1,
      data: [setKey('a', 1)],
      checksum: 1,
    });
    source.publish([setKey('b', 1)]);
    expect(seen).toEqual([1, 2]);
    expect(source.snapshot()).toEqual({
      type: 'snapshot',
      stream: 'book:T',
      epoch: 'e1',
      seq: 2,
      data: [
        ['a', 1],
        ['b', 1],
      ],
      checksum: 2,
    });
  });

  it('resumes by replay while the history holds the next seq', () => {
    const source = publisher(4);
    for (let i = 1; i <= 6; i++) source.publish([setKey('k', i)]);
    const plan = source.resume({ epoch: 'e1', seq: 2 });
    expect(plan.recovered).toBe(true);
    expect(plan.recovered && plan.deltas.map((d) => d.seq)).toEqual([3, 4, 5, 6]);
    expect(source.resume({ epoch: 'e1', seq: 6 })).toEqual({ recovered: true, deltas: [] });
  });

  it('falls back to a snapshot once the history has overflowed', () => {
    const source = publisher(4);
    for (let i = 1; i <= 6; i++) source.publish([setKey('k', i)]);
    const plan = source.resume({ epoch: 'e1', seq: 1 });
    expect(plan.recovered).toBe(false);
    expect(!plan.recovered && plan.snapshot.seq).toBe(6);
  });

  it('sends a snapshot to a subscriber from another epoch, or from the future', () => {
    const source = publisher();
    source.publish([setKey('a', 1)]);
    expect(source.resume({ epoch: 'e0', seq: 1 }).recovered).toBe(false);
    expect(source.resume({ epoch: 'e1', seq: 9 }).recovered).toBe(false);
    expect(source.resume(undefined).recovered).toBe(false);
  });

  it('starts a new epoch with an empty history', () => {
    const source = publisher();
    source.publish([setKey('a', 1)]);
    expect(source.newEpoch()).toBe('e2');
    expect(source.position).toEqual({ epoch: 'e2', seq: 0 });
    expect(source.resume({ epoch: 'e1', seq: 1 }).recovered).toBe(false);
    expect(source.publish([setKey('a', 2)]).seq).toBe(1);
  });

  it('stamps deltas with the given clock when asked to', () => {
    const stamped = new StreamPublisher({ stream: 's', model: keyedState<number>(), timestamps: () => 1234 });
    expect(stamped.publish([setKey('a', 1)]).ts).toBe(1234);
    expect(publisher().publish([setKey('a', 1)])).not.toHaveProperty('ts');
  });

  it('does not number a change the model rejects', () => {
    const source = publisher();
    expect(() => source.publish([{ op: 'bogus', key: 'a' } as never])).toThrow(TypeError);
    expect(source.position.seq).toBe(0);
  });
});

describe('HistoryRing', () => {
  it('keeps the last capacity items', () => {
    const ring = new HistoryRing<string>(3);
    for (let seq = 1; seq <= 5; seq++) ring.push(seq, `d${seq}`);
    expect([ring.oldestSeq, ring.newestSeq, ring.size]).toEqual([3, 5, 3]);
    expect(ring.since(2)).toEqual(['d3', 'd4', 'd5']);
    expect(ring.since(4)).toEqual(['d5']);
    expect(ring.since(5)).toEqual([]);
    expect(ring.since(1)).toBeUndefined();
    expect(ring.since(6)).toBeUndefined();
  });

  it('starts afresh when the sequence jumps', () => {
    const ring = new HistoryRing<string>(3);
    ring.push(1, 'a');
    ring.push(2, 'b');
    ring.push(10, 'j');
    expect(ring.since(9)).toEqual(['j']);
    expect(ring.since(1)).toBeUndefined();
  });
});
