import { ManualClock, type StreamPosition } from '@twohop/sequence';
import { describe, expect, it } from 'vitest';
import { keyedState, setKey, type KeyedChange } from './keyedState.js';
import type { DeltaMessage } from './messages.js';
import { StreamMirror, type StreamMirrorOptions, type UpstreamCatchUp } from './StreamMirror.js';
import { StreamPublisher } from './StreamPublisher.js';
import type { SourceEvent } from './StreamSource.js';

type Changes = readonly KeyedChange<number>[];
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** An upstream publisher and a mirror of it whose catch-ups the upstream answers with `resume`. */
function chain(
  historyCapacity = 64,
  options: Partial<StreamMirrorOptions<Map<string, number>, Changes, [string, number][]>> = {},
) {
  const upstream = new StreamPublisher({
    stream: 'book:T',
    model: keyedState<number>(),
    historyCapacity,
    sequencer: { epoch: 'e1', newEpochId: () => 'e2' },
  });
  const asked: (StreamPosition | undefined)[] = [];
  const mirror = new StreamMirror({
    stream: 'book:T',
    model: keyedState<number>(),
    checksum: (state) => state.size,
    catchUp: (position) => {
      asked.push(position);
      return Promise.resolve(upstream.resume(position));
    },
    ...options,
  });
  const events: SourceEvent<Changes>[] = [];
  mirror.subscribe((event) => events.push(event));
  const publish = (n: number) =>
    Array.from({ length: n }, () =>
      upstream.publish([setKey(`k${upstream.position.seq % 5}`, upstream.position.seq)]),
    );
  return { upstream, mirror, asked, events, publish };
}

const seqs = (events: SourceEvent<Changes>[]) =>
  events.map((e) => (e.type === 'reset' ? `reset@${e.seq}` : e.seq));

describe('StreamMirror', () => {
  it('bootstraps from the upstream snapshot, then applies upstream deltas with its own checksum and history', async () => {
    const { upstream, mirror, asked, events, publish } = chain();
    publish(3);
    await mirror.start();
    expect(asked).toEqual([undefined]);
    expect(mirror.status).toBe('live');
    expect(mirror.position).toEqual({ epoch: 'e1', seq: 3 });
    for (const delta of publish(2)) mirror.receive(delta);
    expect(seqs(events)).toEqual(['reset@3', 4, 5]);
    expect(events.at(-1)).toMatchObject({ type: 'delta', epoch: 'e1', seq: 5, checksum: mirror.state.size });
    expect(mirror.state).toEqual(upstream.state);
    expect(mirror.resume({ epoch: 'e1', seq: 3 })).toMatchObject({ recovered: true });
    expect(mirror.snapshot()).toMatchObject({ epoch: 'e1', seq: 5, data: [...upstream.state] });
  });

  it('drops a duplicate and catches a gap up by replay: subscribers see every seq once and no reset', async () => {
    const { upstream, mirror, asked, events, publish } = chain();
    await mirror.start();
    const [d1, d2, d3, d4] = publish(4) as [DeltaMessage<Changes>, ...DeltaMessage<Changes>[]];
    mirror.receive(d1);
    mirror.receive(d1);
    mirror.receive(d3!); // d2 lost upstream of the mirror
    expect(mirror.status).toBe('catching-up');
    mirror.receive(d4!);
    await flush();
    expect(asked.at(-1)).toEqual({ epoch: 'e1', seq: 1 });
    mirror.receive(d2!); // arrives late: a duplicate by now
    expect(seqs(events)).toEqual(['reset@0', 1, 2, 3, 4]);
    // Duplicates: d1 again, d3 and d4 held during the catch-up that replayed them, and the late d2.
    expect(mirror.stats).toMatchObject({ gaps: 1, duplicates: 4, replays: 1, snapshots: 1 });
    expect(mirror.state).toEqual(upstream.state);
  });

  it('a gap the upstream no longer holds becomes a snapshot, announced by a reset before the next delta', async () => {
    const { upstream, mirror, events, publish } = chain(4);
    await mirror.start();
    publish(10);
    const [next] = publish(1);
    mirror.receive(next!);
    await flush();
    expect(seqs(events)).toEqual(['reset@0', 'reset@11']);
    for (const delta of publish(2)) mirror.receive(delta);
    expect(seqs(events).slice(2)).toEqual([12, 13]);
    expect(mirror.state).toEqual(upstream.state);
  });

  it('an epoch change upstream resets subscribers into the new epoch', async () => {
    const { upstream, mirror, events, publish } = chain();
    publish(5);
    await mirror.start();
    upstream.newEpoch(new Map([['fresh', 1]]));
    const [first] = publish(1);
    mirror.receive(first!);
    await flush();
    expect(mirror.position).toEqual({ epoch: 'e2', seq: 1 });
    expect(seqs(events)).toEqual(['reset@5', 'reset@1']);
    expect(mirror.stats.epochChanges).toBe(1);
    expect(mirror.state).toEqual(upstream.state);
  });

  it('while catching up it serves its last consistent state and holds at most maxBuffered deltas', async () => {
    const { upstream, publish } = chain();
    let release: (plan: UpstreamCatchUp<[string, number][], Changes>) => void = () => {};
    const slow = new StreamMirror({
      stream: 'book:T',
      model: keyedState<number>(),
      maxBuffered: 3,
      catchUp: () =>
        new Promise<UpstreamCatchUp<[string, number][], Changes>>((resolve) => (release = resolve)),
    });
    const started = slow.start();
    const deltas = publish(6);
    for (const delta of deltas) slow.receive(delta);
    expect(slow.position).toEqual({ epoch: '', seq: 0 });
    expect(slow.stats.overflows).toBe(3);
    release({ recovered: false, snapshot: { epoch: 'e1', seq: 1, data: [['k0', 0]] } });
    await flush();
    // 4..6 were held, 2..3 were dropped: a hole after the snapshot, so a second catch-up — still pending here.
    expect(slow.position).toEqual({ epoch: 'e1', seq: 1 });
    expect(slow.status).toBe('catching-up');
    release(upstream.resume(slow.position));
    await started;
    expect(slow.position).toEqual(upstream.position);
    expect(slow.state).toEqual(upstream.state);
  });

  it('retries a failed catch-up after retryMs on its clock, telling onError', async () => {
    const clock = new ManualClock();
    const errors: unknown[] = [];
    let fail = true;
    const upstream = chain().upstream;
    const mirror = new StreamMirror({
      stream: 'book:T',
      model: keyedState<number>(),
      clock,
      retryMs: 500,
      onError: (error) => errors.push(error),
      catchUp: (position) =>
        fail ? Promise.reject(new Error('down')) : Promise.resolve(upstream.resume(position)),
    });
    const started = mirror.start();
    await flush();
    expect(errors).toHaveLength(1);
    fail = false;
    clock.advance(499);
    await flush();
    expect(mirror.status).toBe('starting');
    clock.advance(1);
    await started;
    expect(mirror.status).toBe('live');
    expect(mirror.stats.failures).toBe(1);
  });

  it('a change it cannot apply makes it take a snapshot instead of serving a broken state', async () => {
    const { upstream, mirror, asked, publish } = chain();
    await mirror.start();
    publish(2);
    mirror.receive({ epoch: 'e1', seq: 1, data: [{ op: 'bogus', key: 'x' } as never] });
    await flush();
    expect(asked.at(-1)).toBeUndefined();
    expect(mirror.position).toEqual(upstream.position);
    expect(mirror.stats.failures).toBe(1);
  });

  it('once closed it ignores the upstream', async () => {
    const { mirror, publish } = chain();
    await mirror.start();
    mirror.close();
    for (const delta of publish(2)) mirror.receive(delta);
    expect(mirror.position.seq).toBe(0);
    expect(mirror.status).toBe('closed');
  });
});
