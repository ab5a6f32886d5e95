import { ManualClock, type StreamPosition } from '@twohop/sequence';
import { describe, expect, it } from 'vitest';
import { keyedState, setKey } from './keyedState.js';
import { StreamMirror } from './StreamMirror.js';
import { StreamPublisher } from './StreamPublisher.js';

/** An upstream and a mirror of it on a manual clock; `forward(n)` publishes n changes and hands them to the mirror. */
async function lagging() {
  const clock = new ManualClock();
  const upstream = new StreamPublisher({
    stream: 'book:T',
    model: keyedState<number>(),
    sequencer: { epoch: 'e1', newEpochId: () => 'e2' },
  });
  const mirror = new StreamMirror({
    stream: 'book:T',
    model: keyedState<number>(),
    clock,
    catchUp: (position) => Promise.resolve(upstream.resume(position)),
  });
  const publish = (n: number) =>
    Array.from({ length: n }, () => upstream.publish([setKey('k', upstream.position.seq)]));
  publish(3);
  await mirror.start();
  /** Records when a reach resolved, by the order of events. */
  const log: string[] = [];
  const reach = (position: StreamPosition, timeoutMs = 1000) => {
    const waiting = mirror.reach(position, timeoutMs);
    if (waiting === undefined) log.push(`at once @${position.seq}`);
    else void waiting.then(() => log.push(`reached @${position.seq} (mirror at ${mirror.position.seq})`));
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { clock, upstream, mirror, publish, reach, log, settle };
}

describe('StreamMirror.reach: a resume from a position another node has served', () => {
  it('is answered at once for a position this mirror has served, or one of another epoch', async () => {
    const { mirror, reach, log } = await lagging();
    reach({ epoch: 'e1', seq: 3 });
    reach({ epoch: 'e1', seq: 1 });
    reach({ epoch: 'other', seq: 99 });
    expect(log).toEqual(['at once @3', 'at once @1', 'at once @99']);
    expect(mirror.position).toEqual({ epoch: 'e1', seq: 3 });
  });

  it('waits until the mirror has applied the position, then resolves — a replay is possible', async () => {
    const { mirror, publish, reach, log, settle } = await lagging();
    const upstreamDeltas = publish(4); // upstream at 7, the mirror still at 3
    reach({ epoch: 'e1', seq: 6 });
    await settle();
    expect(log).toEqual([]);
    for (const delta of upstreamDeltas.slice(0, 2)) mirror.receive(delta);
    await settle();
    expect(log).toEqual([]); // at 5 of 6
    mirror.receive(upstreamDeltas[2]!);
    await settle();
    expect(log).toEqual(['reached @6 (mirror at 6)']);
    expect(mirror.resume({ epoch: 'e1', seq: 6 })).toMatchObject({ recovered: true });
  });

  it('gives up after its timeout (the subscribe is then answered with a snapshot)', async () => {
    const { clock, reach, log, settle } = await lagging();
    reach({ epoch: 'e1', seq: 50 }, 250);
    clock.advance(249);
    await settle();
    expect(log).toEqual([]);
    clock.advance(1);
    await settle();
    expect(log).toEqual(['reached @50 (mirror at 3)']);
  });

  it('waits through a catch-up, and releases everyone when the mirror closes', async () => {
    const { mirror, publish, reach, log, settle } = await lagging();
    const deltas = publish(3);
    mirror.receive(deltas[2]!); // a gap: the mirror catches up (by replay) to 6
    reach({ epoch: 'e1', seq: 6 });
    reach({ epoch: 'e1', seq: 9 });
    await settle();
    expect(log).toEqual(['reached @6 (mirror at 6)']);
    mirror.close();
    await settle();
    expect(log).toEqual(['reached @6 (mirror at 6)', 'reached @9 (mirror at 6)']);
  });
});
