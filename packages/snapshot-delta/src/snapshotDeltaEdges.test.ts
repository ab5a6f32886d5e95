import { describe, expect, it } from 'vitest';
import { HistoryRing } from './HistoryRing.js';
import { jsonPatchState, type JsonObject, type KeyedPatchOperation } from './jsonPatchState.js';
import {
  keyedSplitter,
  keyedState,
  removeKey,
  setKey,
  type KeyedChange,
  type KeyedSnapshot,
} from './keyedState.js';
import type { DeltaMessage, SnapshotMessage, StreamMessage } from './messages.js';
import { Replica, type ResyncReason } from './Replica.js';
import { StreamPublisher } from './StreamPublisher.js';

// The edges of snapshot + delta: what a replica returns and counts, which snapshots it takes, which deltas it keeps,
// and every check a state model makes. Found by mutation testing (`pnpm mutate snapshot-delta`).

type Changes = readonly KeyedChange<number>[];
const snapshot = (seq: number, data: unknown = [], epoch = 'e1') =>
  ({ type: 'snapshot', stream: 's', epoch, seq, data }) as SnapshotMessage<KeyedSnapshot<number>>;
const delta = (seq: number, data: Changes = [setKey('k', seq)], extra: Partial<DeltaMessage<Changes>> = {}) =>
  ({ type: 'delta', stream: 's', epoch: 'e1', seq, data, ...extra }) as DeltaMessage<Changes>;

function replicaAt(seq: number, checksum?: (state: Map<string, number>) => number) {
  const resyncs: ResyncReason[] = [];
  const replica = new Replica({
    model: keyedState<number>(),
    onResync: (reason) => resyncs.push(reason),
    ...(checksum === undefined ? {} : { checksum }),
  });
  expect(replica.applySnapshot(snapshot(seq))).toBe(true);
  return { replica, resyncs };
}

describe('Replica edges', () => {
  it('counts what it does: snapshots, applied and conflated deltas, resyncs', () => {
    const { replica, resyncs } = replicaAt(0);
    expect(replica.applyDelta(delta(1))).toBe('applied');
    expect(replica.applyDelta(delta(3, [setKey('k', 3)], { from: 2 }))).toBe('applied');
    expect(replica.applyDelta(delta(4, [setKey('k', 4)], { from: 4 }))).toBe('applied');
    replica.resync();
    expect(resyncs).toEqual(['manual']);
    expect(replica.status).toBe('resyncing');
    expect(replica.stats).toMatchObject({
      snapshots: 1,
      applied: 3,
      conflated: 1,
      resyncs: 1,
      duplicates: 0,
    });
  });

  it('takes deltas and batches through receive, and ignores a batch without items', () => {
    const { replica } = replicaAt(0);
    replica.receive(delta(1));
    replica.receive({ type: 'batch', stream: 's', items: [delta(2), delta(3)] });
    replica.receive({ type: 'batch', stream: 's' } as unknown as StreamMessage<
      KeyedSnapshot<number>,
      Changes
    >);
    expect(replica.position?.seq).toBe(3);
  });

  it('a snapshot it cannot restore is invalid: refused, and a resync asked for', () => {
    const resyncs: ResyncReason[] = [];
    const replica = new Replica({ model: keyedState<number>(), onResync: (reason) => resyncs.push(reason) });
    expect(replica.applySnapshot(snapshot(4, 5))).toBe(false);
    expect(resyncs).toEqual(['invalid']);
    expect(replica.stats.snapshots).toBe(0);
  });

  it('while live, refuses a snapshot at its own seq; while resyncing, takes one at the same seq', () => {
    const { replica } = replicaAt(5);
    expect(replica.applySnapshot(snapshot(5))).toBe(false);
    expect(replica.stats.snapshots).toBe(1);
    replica.resync(); // resyncing: the answer may be a snapshot at the very same seq
    expect(replica.applySnapshot(snapshot(5, [['k', 5]]))).toBe(true);
    expect(replica.status).toBe('live');
    expect(replica.stats.snapshots).toBe(2);
  });

  it('while live, takes a newer snapshot of its epoch, and any snapshot of another epoch (rule 4)', () => {
    const { replica } = replicaAt(5);
    expect(replica.applySnapshot(snapshot(8, [['k', 8]]))).toBe(true);
    expect(replica.position).toEqual({ epoch: 'e1', seq: 8 });
    expect(replica.applySnapshot(snapshot(2, [['k', 2]], 'e2'))).toBe(true);
    expect(replica.position).toEqual({ epoch: 'e2', seq: 2 });
  });

  it('without a checksum function, ignores the checksums messages carry', () => {
    const { replica, resyncs } = replicaAt(0);
    expect(replica.applyDelta(delta(1, [setKey('k', 1)], { checksum: 12345 }))).toBe('applied');
    expect(replica.applySnapshot({ ...snapshot(4), checksum: 99 })).toBe(true);
    expect(resyncs).toEqual([]);
  });

  it('a snapshot whose checksum fails is still taken (the state is replaced) and a resync asked for', () => {
    const resyncs: ResyncReason[] = [];
    const replica = new Replica({
      model: keyedState<number>(),
      onResync: (r) => resyncs.push(r),
      checksum: () => 1,
    });
    expect(replica.applySnapshot({ ...snapshot(3, [['k', 1]]), checksum: 2 })).toBe(true);
    expect(resyncs).toEqual(['checksum']);
  });

  it('after a snapshot, applies only buffered deltas it does not cover, and stops at a gap among them', () => {
    const resyncs: ResyncReason[] = [];
    const replica = new Replica({ model: keyedState<number>(), onResync: (r) => resyncs.push(r) });
    for (const seq of [4, 5, 6, 8, 9]) replica.receive(delta(seq));
    replica.receive(delta(6, [setKey('k', 60)], { epoch: 'e0' }));
    expect(replica.applySnapshot(snapshot(5))).toBe(true);
    // 4 and 5 were covered (not even counted as duplicates), e0's delta dropped, 6 applied; 8 is a gap.
    expect(replica.stats.duplicates).toBe(0);
    expect(replica.position?.seq).toBe(6);
    expect(resyncs).toEqual(['gap']);
    // Only the gapped delta waits for the next snapshot; what came after it is dropped with the buffer.
    expect(replica.buffered).toBe(1);
  });

  it('while resyncing, buffers even a delta that would continue the state', () => {
    const { replica } = replicaAt(0);
    replica.applyDelta(delta(5)); // gap
    expect(replica.applyDelta(delta(1))).toBe('buffered');
    expect(replica.position?.seq).toBe(0);
  });

  it('never buffers a malformed range, while live or waiting', () => {
    const { replica, resyncs } = replicaAt(3);
    expect(replica.applyDelta(delta(4, [setKey('k', 4)], { from: 9 }))).toBe('resync');
    expect(resyncs).toEqual(['invalid']);
    expect(replica.buffered).toBe(0);
  });

  it('verifies only messages that carry a checksum', () => {
    const { replica, resyncs } = replicaAt(0, (state) => state.size);
    expect(replica.applyDelta(delta(1))).toBe('applied');
    expect(replica.applyDelta(delta(2, [setKey('j', 1)], { checksum: 2 }))).toBe('applied');
    expect(replica.applyDelta(delta(3, [setKey('x', 1)], { checksum: 7 }))).toBe('resync');
    expect(resyncs).toEqual(['checksum']);
  });
});

describe('HistoryRing edges', () => {
  it('needs an integer capacity of at least 1', () => {
    expect(() => new HistoryRing(0)).toThrow('capacity must be an integer >= 1');
    expect(() => new HistoryRing(1.5)).toThrow(RangeError);
    expect(new HistoryRing(1).capacity).toBe(1);
  });

  it('when empty has no oldest or newest, and nothing to replay from a later seq', () => {
    const ring = new HistoryRing<string>(4);
    expect(ring.since(0)).toEqual([]); // a fresh stream at seq 0: resuming from 0 replays nothing
    expect(ring.oldestSeq).toBeUndefined();
    expect(ring.newestSeq).toBeUndefined();
    expect(ring.since(3)).toBeUndefined();
    ring.push(7, 'g');
    expect([ring.oldestSeq, ring.newestSeq]).toEqual([7, 7]);
    expect(ring.since(7)).toEqual([]);
    expect(ring.since(8)).toBeUndefined();
    expect(ring.since(6)).toEqual(['g']);
  });

  it('starts afresh when the seqs jump, and keeps what follows on', () => {
    const ring = new HistoryRing<string>(4);
    ring.push(1, 'a');
    ring.push(2, 'b');
    ring.push(3, 'c');
    expect(ring.size).toBe(3);
    ring.push(10, 'j');
    expect(ring.size).toBe(1);
    expect(ring.since(2)).toBeUndefined();
    ring.push(11, 'k');
    expect(ring.since(9)).toEqual(['j', 'k']);
  });

  it('clear forgets everything', () => {
    const ring = new HistoryRing<string>(2);
    ring.push(1, 'a');
    ring.clear();
    expect(ring.size).toBe(0);
    expect(ring.since(0)).toBeUndefined();
  });
});

describe('StreamPublisher edges', () => {
  const publisher = (checksum?: (state: Map<string, number>) => number) =>
    new StreamPublisher({
      stream: 's',
      model: keyedState<number>(),
      sequencer: { epoch: 'e1', newEpochId: () => 'e2' },
      ...(checksum === undefined ? {} : { checksum }),
    });

  it('exposes its model, state and history', () => {
    const source = publisher();
    source.publish([setKey('a', 1)]);
    expect(source.model.create()).toEqual(new Map());
    expect(source.state).toEqual(new Map([['a', 1]]));
    expect(source.history.since(0)).toHaveLength(1);
  });

  it('sends snapshots without a checksum when it has none', () => {
    const snap = publisher().snapshot();
    expect(snap).toEqual({ type: 'snapshot', stream: 's', epoch: 'e1', seq: 0, data: [] });
    expect(publisher((state) => state.size).snapshot().checksum).toBe(0);
  });

  it('stops announcing to a listener that unsubscribed', () => {
    const source = publisher();
    const seen: number[] = [];
    const stop = source.subscribe((d) => seen.push(d.seq));
    source.publish([setKey('a', 1)]);
    stop();
    source.publish([setKey('a', 2)]);
    expect(seen).toEqual([1]);
  });

  it('a new epoch can start from a new state', () => {
    const source = publisher();
    source.publish([setKey('a', 1)]);
    source.newEpoch(new Map([['b', 2]]));
    expect(source.state).toEqual(new Map([['b', 2]]));
    expect(source.position).toEqual({ epoch: 'e2', seq: 0 });
  });
});

describe('keyed state edges', () => {
  it('refuses a change with a bad op or a non-string key, changing nothing', () => {
    const model = keyedState<number>();
    const state = new Map([['a', 1]]);
    const bad = [setKey('b', 2), { op: 'increment', key: 'a' }] as unknown as Changes;
    expect(() => model.apply(state, bad)).toThrow(
      'a keyed change needs op "set" or "remove" and a string key',
    );
    expect(() => model.apply(state, [{ op: 'set', key: 7, value: 1 }] as unknown as Changes)).toThrow(
      TypeError,
    );
    expect(state).toEqual(new Map([['a', 1]]));
  });

  it('removes a key outright', () => {
    const state = new Map([['a', 1]]);
    keyedState<number>().apply(state, [removeKey('a')]);
    expect(state.has('a')).toBe(false);
  });

  it('conflates by key, in the order keys were first queued', () => {
    const splitter = keyedSplitter<number>();
    const changes = [setKey('a', 1), removeKey('b')];
    expect(splitter.split(changes)).toEqual(changes);
    expect(changes.map(splitter.keyOf)).toEqual(['a', 'b']);
    expect(splitter.join(changes)).toEqual(changes);
    expect(splitter.order).toBe('first-queued');
    expect(keyedState<number>().splitter).toMatchObject({ order: 'first-queued' });
  });
});

describe('JSON Patch state edges', () => {
  const model = jsonPatchState();
  const apply = (document: JsonObject, ...operations: KeyedPatchOperation[]) => {
    model.apply(document, operations);
    return document;
  };

  it('starts empty, and snapshots and restores by copy', () => {
    const state = model.create();
    expect(state).toEqual({});
    apply(state, { op: 'add', path: '/a', value: { b: 1 } });
    const snap = model.snapshot(state);
    expect(snap).toEqual({ a: { b: 1 } });
    (snap['a'] as JsonObject)['b'] = 2;
    expect(state).toEqual({ a: { b: 1 } });
    const restored = model.restore(snap);
    (snap['a'] as JsonObject)['b'] = 3;
    expect(restored).toEqual({ a: { b: 2 } });
  });

  it('keeps existing parents and their other members, and replaces a parent that is not an object', () => {
    expect(apply({ a: { x: 1 } }, { op: 'add', path: '/a/y', value: 2 })).toEqual({ a: { x: 1, y: 2 } });
    expect(apply({ a: 5 }, { op: 'add', path: '/a/y', value: 2 })).toEqual({ a: { y: 2 } });
    expect(apply({ a: [1] }, { op: 'add', path: '/a/y', value: 2 })).toEqual({ a: { y: 2 } });
    expect(apply({ a: null }, { op: 'replace', path: '/a/y', value: 2 })).toEqual({ a: { y: 2 } });
  });

  it('refuses paths and operations it cannot apply safely, naming what was wrong', () => {
    const refused = (operation: unknown) => () => model.apply({}, [operation as KeyedPatchOperation]);
    expect(refused({ op: 'add', path: 'a', value: 1 })).toThrow('JSON Patch path must start with "/": a');
    expect(refused({ op: 'add', path: 7, value: 1 })).toThrow('JSON Patch path must start with "/": 7');
    for (const segment of ['__proto__', 'prototype', 'constructor'])
      expect(refused({ op: 'add', path: `/a/${segment}`, value: 1 })).toThrow(
        `JSON Patch path segment not allowed: ${segment}`,
      );
    expect(refused({ op: 'move', path: '/a', from: '/b' })).toThrow(
      'JSON Patch op not allowed on keyed paths: move',
    );
    expect(refused({ op: 'add', path: '/a' })).toThrow('JSON Patch add needs a value');
    expect(refused({ op: 'replace', path: '/a' })).toThrow('JSON Patch replace needs a value');
    expect(apply({ a: 1 }, { op: 'remove', path: '/a' })).toEqual({});
  });

  it('conflates by path, keeping each path’s last operation in update order', () => {
    const operations: KeyedPatchOperation[] = [
      { op: 'add', path: '/a', value: 1 },
      { op: 'remove', path: '/b' },
    ];
    const { splitter } = model;
    if (splitter === undefined) throw new Error('the JSON Patch model conflates: it has a splitter');
    expect(splitter.split(operations)).toEqual(operations);
    expect(operations.map(splitter.keyOf)).toEqual(['/a', '/b']);
    expect(splitter.join(operations)).toEqual(operations);
    expect(splitter.order).toBe('last-updated');
  });
});
