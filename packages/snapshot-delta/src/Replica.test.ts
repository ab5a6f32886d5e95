import { describe, expect, it } from 'vitest';
import {
  keyedState,
  removeKey,
  setKey,
  type KeyedChange,
  type KeyedSnapshot,
  type KeyedState,
} from './keyedState.js';
import type { DeltaMessage, SnapshotMessage } from './messages.js';
import { Replica, type ResyncReason } from './Replica.js';

type Value = number;
type Changes = readonly KeyedChange<Value>[];

const snapshot = (
  seq: number,
  entries: KeyedSnapshot<Value>,
  epoch = 'e1',
): SnapshotMessage<KeyedSnapshot<Value>> => ({
  type: 'snapshot',
  stream: 's',
  epoch,
  seq,
  data: entries,
});

const delta = (
  seq: number,
  data: Changes,
  extra: { from?: number; epoch?: string; checksum?: number } = {},
) => ({ type: 'delta', stream: 's', epoch: 'e1', seq, data, ...extra }) as DeltaMessage<Changes>;

const sum = (state: KeyedState<Value>) => [...state.values()].reduce((a, b) => a + b, 0);

function setup(options: { maxBuffered?: number; checksum?: boolean } = {}) {
  const resyncs: ResyncReason[] = [];
  const replica = new Replica({
    model: keyedState<Value>(),
    onResync: (reason) => resyncs.push(reason),
    ...(options.maxBuffered === undefined ? {} : { maxBuffered: options.maxBuffered }),
    ...(options.checksum ? { checksum: sum } : {}),
  });
  const entries = () => Object.fromEntries(replica.state);
  return { replica, resyncs, entries };
}

describe('Replica', () => {
  it('rule 1: buffers deltas until the snapshot', () => {
    const { replica, entries } = setup();
    expect(replica.applyDelta(delta(6, [setKey('a', 6)]))).toBe('buffered');
    expect(replica.status).toBe('awaiting-snapshot');
    expect(entries()).toEqual({});
    expect(replica.buffered).toBe(1);
  });

  it('rule 2: drops buffered deltas the snapshot covers and applies the rest in order', () => {
    const { replica, entries, resyncs } = setup();
    replica.applyDelta(delta(5, [setKey('a', 5)]));
    replica.applyDelta(delta(7, [setKey('a', 7)]));
    replica.applyDelta(delta(6, [setKey('b', 6)]));
    replica.applySnapshot(snapshot(5, [['a', 5]]));
    expect(entries()).toEqual({ a: 7, b: 6 });
    expect(replica.position).toEqual({ epoch: 'e1', seq: 7 });
    expect(resyncs).toEqual([]);
    expect(replica.buffered).toBe(0);
  });

  it('rule 2 edge: a snapshot older than the buffered deltas is a gap, and nothing past it is applied', () => {
    const { replica, entries, resyncs } = setup();
    replica.applyDelta(delta(9, [setKey('a', 9)]));
    replica.applySnapshot(snapshot(5, [['a', 5]]));
    expect(resyncs).toEqual(['gap']);
    expect(entries()).toEqual({ a: 5 });
    // The fresh snapshot heals it, and the buffered delta it does not cover is applied.
    replica.applySnapshot(snapshot(8, [['a', 8]]));
    expect(entries()).toEqual({ a: 9 });
    expect(replica.status).toBe('live');
  });

  it('rule 2 edge: an epoch change while deltas are buffered drops the other epoch’s deltas', () => {
    const { replica, entries, resyncs } = setup();
    replica.applyDelta(delta(3, [setKey('old', 3)], { epoch: 'e0' }));
    replica.applyDelta(delta(2, [setKey('new', 2)]));
    replica.applySnapshot(snapshot(1, []));
    expect(entries()).toEqual({ new: 2 });
    expect(resyncs).toEqual([]);
  });

  it('rule 3: drops duplicates', () => {
    const { replica, entries } = setup();
    replica.applySnapshot(snapshot(5, [['a', 5]]));
    expect(replica.applyDelta(delta(5, [setKey('a', 0)]))).toBe('duplicate');
    expect(replica.applyDelta(delta(2, [setKey('a', 0)]))).toBe('duplicate');
    expect(entries()).toEqual({ a: 5 });
    expect(replica.stats.duplicates).toBe(2);
  });

  it('rule 3: on a gap, stops applying, asks once for a resync, and buffers until the snapshot', () => {
    const { replica, entries, resyncs } = setup();
    replica.applySnapshot(snapshot(5, [['a', 5]]));
    expect(replica.applyDelta(delta(7, [setKey('a', 7)]))).toBe('resync');
    expect(replica.applyDelta(delta(8, [setKey('b', 8)]))).toBe('buffered');
    expect(entries()).toEqual({ a: 5 });
    expect(resyncs).toEqual(['gap']);
    expect(replica.status).toBe('resyncing');
    replica.applySnapshot(snapshot(6, [['a', 6]]));
    expect(entries()).toEqual({ a: 7, b: 8 });
  });

  it('rule 3: applies a conflated delta that overlaps what was applied', () => {
    const { replica, entries } = setup();
    replica.applySnapshot(snapshot(5, [['a', 5]]));
    expect(replica.applyDelta(delta(9, [setKey('a', 9), removeKey('z')], { from: 3 }))).toBe('applied');
    expect(entries()).toEqual({ a: 9 });
    expect(replica.stats.conflated).toBe(1);
  });

  it('rule 4: a new epoch while live drops the state and asks for a resync', () => {
    const { replica, entries, resyncs } = setup();
    replica.applySnapshot(snapshot(5, [['a', 5]]));
    replica.applyDelta(delta(1, [setKey('b', 1)], { epoch: 'e2' }));
    expect(resyncs).toEqual(['new-epoch']);
    expect(entries()).toEqual({});
    expect(replica.position).toBeUndefined();
    replica.applySnapshot(snapshot(0, [], 'e2'));
    expect(entries()).toEqual({ b: 1 });
  });

  it('rule 5: a checksum mismatch asks for a resync', () => {
    const { replica, resyncs } = setup({ checksum: true });
    replica.applySnapshot({ ...snapshot(1, [['a', 1]]), checksum: 1 });
    expect(replica.applyDelta(delta(2, [setKey('b', 2)], { checksum: 3 }))).toBe('applied');
    expect(replica.applyDelta(delta(3, [setKey('b', 3)], { checksum: 99 }))).toBe('resync');
    expect(resyncs).toEqual(['checksum']);
  });

  it('rule 5: a snapshot whose checksum does not match its data asks for a resync', () => {
    const { replica, resyncs } = setup({ checksum: true });
    replica.applySnapshot({ ...snapshot(1, [['a', 1]]), checksum: 2 });
    expect(resyncs).toEqual(['checksum']);
    expect(replica.status).toBe('resyncing');
  });

  it('ignores a stale snapshot while live, which would lose applied deltas', () => {
    const { replica, entries } = setup();
    replica.applySnapshot(snapshot(5, [['a', 5]]));
    replica.applyDelta(delta(6, [setKey('a', 6)]));
    expect(replica.applySnapshot(snapshot(4, [['a', 4]]))).toBe(false);
    expect(entries()).toEqual({ a: 6 });
  });

  it('bounds the buffer; the hole a dropped delta leaves is caught as a gap', () => {
    const { replica, resyncs } = setup({ maxBuffered: 2 });
    [6, 7, 8].forEach((seq) => replica.applyDelta(delta(seq, [setKey('a', seq)])));
    expect(replica.buffered).toBe(2);
    expect(replica.stats.bufferDropped).toBe(1);
    replica.applySnapshot(snapshot(5, []));
    expect(resyncs).toEqual(['gap']);
  });

  it('treats malformed data as invalid without changing the state, and does not loop on it', () => {
    const { replica, entries, resyncs } = setup();
    replica.applySnapshot(snapshot(1, [['a', 1]]));
    const bad = delta(2, [setKey('b', 2), { op: 'explode', key: 'a' } as unknown as KeyedChange<Value>]);
    expect(replica.applyDelta(bad)).toBe('resync');
    expect(entries()).toEqual({ a: 1 });
    expect(replica.applyDelta(delta(3, [setKey('a', 3)], { from: 4 }))).toBe('rejected');
    replica.applySnapshot(snapshot(2, [['a', 2]]));
    expect(resyncs).toEqual(['invalid']);
    expect(replica.status).toBe('live');
  });

  it('ignores messages that are not for a replica, such as a heartbeat', () => {
    const { replica, entries } = setup();
    replica.receive(snapshot(0, [['a', 1]]));
    replica.receive({ type: 'heartbeat', ts: 1 } as never);
    replica.receive({ type: 'batch', stream: 's' } as never);
    expect(entries()).toEqual({ a: 1 });
  });

  it('takes batches delta by delta', () => {
    const { replica, entries } = setup();
    replica.receive(snapshot(0, []));
    replica.receive({
      type: 'batch',
      stream: 's',
      items: [delta(1, [setKey('a', 1)]), delta(2, [setKey('b', 2)])],
    });
    expect(entries()).toEqual({ a: 1, b: 2 });
  });
});
