import { ManualClock } from '@twohop/sequence';
import { keyedState, setKey, StreamPublisher, type KeyedChange } from '@twohop/snapshot-delta';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryBus, mirrorFromBus, publishToBus, type Bus } from '../src/index.js';
import { lossyBus } from '@twohop/testkit';

type Changes = readonly KeyedChange<number>[];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** `inner` whose next append fails once `failNext` is set, as a lost connection would fail it. */
function failingAppends(inner: Bus) {
  const control = {
    failNext: false,
    bus: {
      ...inner,
      append: (stream, data, ts) => {
        if (!control.failNext) return inner.append(stream, data, ts);
        control.failNext = false;
        return Promise.reject(new Error('connection lost'));
      },
    } as Bus,
  };
  return control;
}

interface ChainOptions {
  logCapacity?: number;
  snapshotEvery?: number;
  bus?: Bus;
  /** Times the publication's retries and the mirrors' position checks. */
  clock?: ManualClock;
  checkEveryMs?: number;
}

async function chain(options: ChainOptions = {}) {
  const bus = options.bus ?? memoryBus({ logCapacity: options.logCapacity ?? 1000 });
  const publisher = new StreamPublisher({ stream: 'book:T', model: keyedState<number>() });
  const clock = options.clock === undefined ? {} : { clock: options.clock };
  const publication = await publishToBus(publisher, bus, {
    snapshotEvery: options.snapshotEvery ?? 16,
    ...clock,
    onError: () => {},
  });
  cleanups.push(() => publication.close());
  const publish = async (count: number) => {
    for (let i = 0; i < count; i++) publisher.publish([setKey(`k${i % 7}`, publisher.position.seq)]);
    await publication.flushed();
    await flush();
  };
  const follow = async (on: Bus = bus) => {
    const followed = await mirrorFromBus<Map<string, number>, Changes, [string, number][]>({
      bus: on,
      stream: 'book:T',
      model: keyedState<number>(),
      ...clock,
      ...(options.checkEveryMs === undefined ? {} : { checkEveryMs: options.checkEveryMs }),
    });
    cleanups.push(() => followed.close());
    return followed.mirror;
  };
  return { bus, publisher, publish, follow };
}

describe('publishToBus → bus → mirrorFromBus', () => {
  it('a mirror follows the publisher at the positions the bus gave', async () => {
    const { bus, publisher, publish, follow } = await chain();
    await publish(5);
    const mirror = await follow();
    await publish(20);
    expect(mirror.position).toEqual(await bus.position('book:T'));
    expect(mirror.position.seq).toBe(25);
    expect(mirror.state).toEqual(publisher.state);
    expect(mirror.stats).toMatchObject({ gaps: 0, snapshots: 1 });
  });

  it('a mirror that starts after the log was trimmed bootstraps from the kept snapshot', async () => {
    const { publisher, publish, follow } = await chain({ logCapacity: 20, snapshotEvery: 8 });
    await publish(100);
    const mirror = await follow();
    expect(mirror.state).toEqual(publisher.state);
    expect(mirror.position.seq).toBe(100);
  });

  it('a lost entry on the tail is caught up from the log: subscribers notice nothing', async () => {
    const lossy = lossyBus(memoryBus());
    const { publisher, publish, follow } = await chain({ bus: lossy.bus });
    const mirror = await follow();
    const events: string[] = [];
    mirror.subscribe((event) => events.push(event.type === 'reset' ? 'reset' : String(event.seq)));
    lossy.losing = true;
    await publish(3);
    lossy.losing = false;
    await publish(2);
    expect(lossy.lost).toBe(3);
    expect(events).toEqual(['1', '2', '3', '4', '5']);
    expect(mirror.stats).toMatchObject({ gaps: 1, replays: 1 });
    expect(mirror.state).toEqual(publisher.state);
  });

  it('past the trimmed log it re-bootstraps from the snapshot and resets its subscribers first', async () => {
    const lossy = lossyBus(memoryBus({ logCapacity: 10 }));
    const { publisher, publish, follow } = await chain({ bus: lossy.bus, snapshotEvery: 5 });
    const mirror = await follow();
    const events: string[] = [];
    mirror.subscribe((event) =>
      events.push(event.type === 'reset' ? `reset@${event.seq}` : String(event.seq)),
    );
    lossy.losing = true;
    await publish(40);
    lossy.losing = false;
    await publish(1);
    expect(events[0]).toMatch(/^reset@(35|40)$/);
    expect(events.at(-1)).toBe('41');
    expect(mirror.state).toEqual(publisher.state);
  });

  it('a new epoch at the publisher becomes a reset on the bus and a new epoch at the mirror', async () => {
    const { publisher, publish, follow } = await chain();
    await publish(10);
    const mirror = await follow();
    const before = mirror.position.epoch;
    publisher.newEpoch(new Map([['fresh', 1]]));
    await publish(3);
    expect(mirror.position.epoch).not.toBe(before);
    expect(mirror.position.seq).toBe(3);
    expect(mirror.state).toEqual(publisher.state);
  });

  it('a failed append resets the stream on the bus, so mirrors never apply across the hole', async () => {
    const flaky = failingAppends(memoryBus());
    const { publisher, publish, follow } = await chain({ bus: flaky.bus });
    const mirror = await follow();
    await publish(4);
    const before = mirror.position.epoch;
    flaky.failNext = true;
    await publish(1); // lost on its way to the bus
    await publish(2);
    expect(mirror.position.epoch).not.toBe(before);
    expect(mirror.state).toEqual(publisher.state);
  });

  it('a failed append is repaired on the bus without waiting for another change', async () => {
    const flaky = failingAppends(memoryBus());
    const clock = new ManualClock();
    const { publisher, publish, follow } = await chain({ bus: flaky.bus, clock });
    const mirror = await follow();
    await publish(4);
    flaky.failNext = true;
    await publish(1); // lost on its way to the bus; nothing is published after it
    expect(mirror.state).not.toEqual(publisher.state);
    clock.advance(1000);
    await flush();
    expect(mirror.state).toEqual(publisher.state);
  });

  it('a mirror whose tail lost the last entries of a quiet stream catches up at its position check', async () => {
    const lossy = lossyBus(memoryBus());
    const clock = new ManualClock();
    const { publisher, publish, follow } = await chain({ bus: lossy.bus, clock, checkEveryMs: 5000 });
    const mirror = await follow();
    await publish(2);
    lossy.losing = true;
    await publish(3); // the last changes for a while: no later entry reveals the gap
    lossy.losing = false;
    clock.advance(5000); // the first check notes where the bus is
    await flush();
    expect(mirror.position.seq).toBe(2);
    clock.advance(5000); // the second finds the mirror still short of it
    await flush();
    expect(mirror.position.seq).toBe(5);
    expect(mirror.state).toEqual(publisher.state);
    expect(mirror.stats).toMatchObject({ replays: 1, snapshots: 1 });
  });
});
