import { StreamClient, type TransportHandlers } from '@twohop/client';
import type { ServerMessage } from '@twohop/protocol';
import { keyedState, type DeltaMessage, type KeyedChange } from '@twohop/snapshot-delta';
import { FakeClock } from '@twohop/testkit';
import { describe, expect, it } from 'vitest';
import { StreamStats } from './StreamStats.js';

/** A client on a hand-driven transport, following `book:T`, with the inspector's collector on it. */
function setup() {
  const clock = new FakeClock();
  let handlers: TransportHandlers | undefined;
  const client = new StreamClient({
    clock,
    transport: () => ({
      name: 'fake',
      open: (opened) => void (handlers = opened),
      subscribe: async () => ({ ok: true, recovered: false }),
      unsubscribe: async () => ({ ok: true }),
      resync: async () => ({ ok: true }),
      close: () => {},
    }),
  });
  const book = client.subscribe('book:T', { model: keyedState<number>() });
  const stats = new StreamStats(client, book, { clock, wallClock: () => 10_000 });
  handlers!.onOpen();
  /** One frame of `bytes` bytes carrying `message`, as the transport reports it. */
  const receive = (message: ServerMessage, bytes = 100) => {
    handlers!.onFrameSize?.(bytes);
    handlers!.onMessage(message);
  };
  const delta = (seq: number, from = seq, ts?: number): DeltaMessage<KeyedChange<number>[]> => ({
    type: 'delta',
    stream: 'book:T',
    epoch: 'e',
    seq,
    ...(from < seq ? { from } : {}),
    data: [{ op: 'set', key: `k${seq}`, value: seq }] satisfies KeyedChange<number>[],
    ...(ts === undefined ? {} : { ts }),
  });
  receive({ type: 'snapshot', stream: 'book:T', epoch: 'e', seq: 0, data: [] });
  return { clock, stats, receive, delta };
}

describe('StreamStats (fake clock)', () => {
  it('counts frames and bytes per whole second, applied and conflated deltas and what they merged', () => {
    const { clock, stats, receive, delta } = setup();
    receive(delta(1, 1, 9_990));
    receive(delta(5, 2, 9_970)); // four deltas merged into one
    receive({ type: 'delta', stream: 'other', epoch: 'e', seq: 9, from: 1, data: [] }); // not the followed stream
    // A batch: each delta in it counts on its own.
    receive({ type: 'batch', stream: 'book:T', items: [delta(6), delta(9, 7)] });
    clock.advance(1000);
    const read = stats.read();
    expect(read).toMatchObject({
      messagesPerSecond: 5, // the snapshot, two book deltas, the other stream's delta, the batch
      bytesPerSecond: 500,
      deltasApplied: 4,
      conflatedDeltas: 2,
      mergedDeltas: 4 + 3,
      checksum: 'ok',
      latency: { p50: 30, p99: 30 },
    });
    clock.advance(1000);
    expect(stats.read().messagesPerSecond).toBe(0);
  });

  it('shows a stall from the ack to the first frame after it, then the catch-up the followed stream got', () => {
    const { clock, stats, receive, delta } = setup();
    receive(delta(1));
    stats.stallStarted(5000);
    expect(stats.read()).toMatchObject({ stalled: true, lastCatchUp: '' });
    clock.advance(5000);
    expect(stats.read().stalled).toBe(true); // nothing arrived yet
    receive({ type: 'batch', stream: 'trades', items: [] }); // another stream's frame ends the stall …
    expect(stats.read()).toMatchObject({ stalled: false, lastCatchUp: '' });
    receive(delta(1_201, 2)); // … and the book's first delta after it is the catch-up
    expect(stats.read().lastCatchUp).toBe('1,200 deltas in one frame after 5.0 s');
    receive(delta(1_205, 1_202)); // later conflated deltas are not the catch-up
    expect(stats.read()).toMatchObject({
      lastCatchUp: '1,200 deltas in one frame after 5.0 s',
      mergedDeltas: 1_204,
    });
  });

  it('ends a stall that no frame ends after its length and a grace period, with no catch-up', () => {
    const { clock, stats } = setup();
    stats.stallStarted(5000);
    clock.advance(7999);
    expect(stats.read().stalled).toBe(true);
    clock.advance(1);
    expect(stats.read()).toMatchObject({ stalled: false, lastCatchUp: '' });
  });
});
