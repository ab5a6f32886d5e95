import type { StreamPosition } from '@twohop/sequence';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bus, BusEntry, BusEvent, LogRead } from '../src/Bus.js';
import { isBusError } from '../src/BusError.js';

/**
 * Opens `count` handles onto one fresh, empty store whose logs keep `logCapacity` entries — for a network bus,
 * separate connections (separate "nodes") onto a store no other test uses.
 */
export type OpenBuses = (count: number, options: { logCapacity: number }) => Promise<Bus[]>;

/** One property of the {@link Bus} contract, runnable against any implementation. */
export interface BusCheck {
  readonly name: string;
  run(open: OpenBuses): Promise<void>;
}

const LOG = 64;
/** Waits for `predicate`, bounded: a network bus delivers a moment later, never never. */
async function until(what: string, predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!predicate()) throw new Error(`timed out waiting for ${what}`);
}
const seqsOf = (entries: readonly { seq: number }[]) => entries.map((entry) => entry.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
async function collect(bus: Bus, stream: string) {
  const events: BusEvent<number>[] = [];
  const tail = await bus.tail<number>(stream, (event) => events.push(event));
  const entries = () =>
    events.flatMap((event) => (event.type === 'entry' ? [event.entry] : [])) as BusEntry<number>[];
  return { events, entries, tail };
}
async function appendMany(bus: Bus, stream: string, values: number[]): Promise<StreamPosition[]> {
  return Promise.all(values.map((value) => bus.append(stream, value)));
}

/** Every property a {@link Bus} keeps; {@link busConformance} runs each as a test. */
export const busChecks: readonly BusCheck[] = [
  {
    name: 'numbers concurrent appends from several handles densely, in one epoch',
    async run(open) {
      const [a, b] = (await open(2, { logCapacity: 1000 })) as [Bus, Bus];
      const values = range(1, 200);
      const given = await Promise.all(values.map((value) => (value % 2 ? a : b).append('dense', value)));
      expect(new Set(given.map((at) => at.epoch)).size).toBe(1);
      expect(given.map((at) => at.seq).sort((x, y) => x - y)).toEqual(range(1, 200));
      const read = await a.read<number>('dense', { epoch: given[0]!.epoch, seq: 0 });
      expect(read.ok && seqsOf(read.entries)).toEqual(range(1, 200));
      // Each change is in the log at the seq its append was given.
      const bySeq = new Map(given.map((at, i) => [at.seq, values[i]]));
      expect(read.ok && read.entries.every((entry) => bySeq.get(entry.seq) === entry.data)).toBe(true);
      expect(await b.position('dense')).toEqual({ epoch: given[0]!.epoch, seq: 200 });
    },
  },
  {
    name: 'applies one handle’s calls in the order they are made, without waiting for each answer',
    async run(open) {
      const [bus] = (await open(1, { logCapacity: 1000 })) as [Bus];
      const given = await appendMany(bus, 'ordered', range(1, 300));
      expect(given.map((at) => at.seq)).toEqual(range(1, 300));
      const epoch = given[0]!.epoch;
      const [reset, after] = await Promise.all([bus.reset('ordered', 'fresh'), bus.append('ordered', 301)]);
      expect(after).toEqual({ epoch: reset.epoch, seq: 1 });
      expect(reset.epoch).not.toBe(epoch);
    },
  },
  {
    name: 'keeps streams independent: their own seqs, epochs, resets and snapshots',
    async run(open) {
      const [bus] = (await open(1, { logCapacity: LOG })) as [Bus];
      await appendMany(bus, 'one', [1, 2, 3]);
      const two = await bus.append('two', 1);
      expect(two.seq).toBe(1);
      await bus.saveSnapshot('two', { ...two, data: 'two' });
      await bus.reset('one');
      expect(await bus.position('two')).toEqual(two);
      expect((await bus.loadSnapshot('two'))?.data).toBe('two');
    },
  },
  {
    name: 'reads the log from a seq, and says why when it cannot',
    async run(open) {
      const [bus] = (await open(1, { logCapacity: LOG })) as [Bus];
      const [first] = await appendMany(bus, 'read', range(1, 10));
      const { epoch } = first!;
      const read = await bus.read<number>('read', { epoch, seq: 4 });
      expect(read.ok && read.entries).toEqual(range(5, 10).map((seq) => ({ epoch, seq, data: seq })));
      expect(await bus.read('read', { epoch, seq: 10 })).toEqual({
        ok: true,
        entries: [],
        position: { epoch, seq: 10 },
      });
      expect(await bus.read('read', { epoch: `${epoch}-other`, seq: 4 })).toMatchObject({
        ok: false,
        reason: 'epoch',
      });
      expect(await bus.read('read', { epoch, seq: 11 })).toMatchObject({ ok: false, reason: 'ahead' });
      await bus.append('read', { nested: [1, 'x'] }, 1234);
      const last = await bus.read('read', { epoch, seq: 10 });
      expect(last.ok && last.entries).toEqual([{ epoch, seq: 11, data: { nested: [1, 'x'] }, ts: 1234 }]);
    },
  },
  {
    name: 'reports a trimmed history as trimmed, never as a shorter log',
    async run(open) {
      const [bus] = (await open(1, { logCapacity: LOG })) as [Bus];
      const given = await appendMany(bus, 'trim', range(1, LOG + 36));
      const { epoch } = given[0]!;
      expect(await bus.read('trim', { epoch, seq: 0 })).toMatchObject({ ok: false, reason: 'trimmed' });
      expect(await bus.read('trim', { epoch, seq: 35 })).toMatchObject({ ok: false, reason: 'trimmed' });
      const read = await bus.read('trim', { epoch, seq: 36 });
      expect(read.ok && seqsOf(read.entries)).toEqual(range(37, LOG + 36));
    },
  },
  {
    name: 'tails live entries in order, once each, with no gap between a read and the tail',
    async run(open) {
      const [writer, reader] = (await open(2, { logCapacity: 1000 })) as [Bus, Bus];
      const epoch = (await writer.append('live', 0)).epoch;
      // Tail first, then read, while the writer goes on: what the read misses the tail has, and the other way round.
      let reading: Promise<[Awaited<ReturnType<typeof collect>>, LogRead<number>]> | undefined;
      for (let value = 1; value < 300; value++) {
        if (value === 50) {
          reading = (async () => {
            const tailed = await collect(reader, 'live');
            return [tailed, await reader.read<number>('live', { epoch, seq: 0 })];
          })();
        }
        await writer.append('live', value);
      }
      const [{ entries, tail }, read] = await reading!;
      await writer.append('live', 300); // at least one entry after both, whatever the timing
      await until('the tail to catch up', () => entries().at(-1)?.seq === 301);
      const tailed = seqsOf(entries());
      expect(tailed).toEqual(range(tailed[0]!, 301));
      expect(read.ok).toBe(true);
      const merged = new Set([...(read.ok ? seqsOf(read.entries) : []), ...tailed]);
      expect([...merged].sort((x, y) => x - y)).toEqual(range(1, 301));
      expect(entries().every((entry) => entry.data === entry.seq - 1 && entry.epoch === epoch)).toBe(true);
      await tail.close();
      await writer.append('live', 301);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(entries().at(-1)?.seq).toBe(301);
    },
  },
  {
    name: 'a reset starts a new epoch at seq 0 with its snapshot, and tails hear it',
    async run(open) {
      const [a, b] = (await open(2, { logCapacity: LOG })) as [Bus, Bus];
      const old = (await appendMany(a, 'reset', [1, 2, 3]))[0]!.epoch;
      await a.saveSnapshot('reset', { epoch: old, seq: 3, data: 'old' });
      const { events } = await collect(b, 'reset');
      const fresh = await a.reset('reset', { state: 'fresh' });
      expect(fresh.epoch).not.toBe(old);
      expect(fresh.seq).toBe(0);
      expect(await a.loadSnapshot('reset')).toEqual({ ...fresh, data: { state: 'fresh' } });
      expect(await b.read('reset', { epoch: old, seq: 3 })).toMatchObject({ ok: false, reason: 'epoch' });
      expect(await a.append('reset', 9)).toEqual({ epoch: fresh.epoch, seq: 1 });
      await until('the reset and the entry', () => events.length === 2);
      expect(events[0]).toEqual({ type: 'reset', position: fresh });
      expect(events[1]).toMatchObject({ type: 'entry', entry: { epoch: fresh.epoch, seq: 1, data: 9 } });
      await a.reset('reset');
      expect(await a.loadSnapshot('reset')).toBeUndefined();
    },
  },
  {
    name: 'keeps the newest snapshot of the current epoch, as a copy',
    async run(open) {
      const [a, b] = (await open(2, { logCapacity: LOG })) as [Bus, Bus];
      expect(await a.loadSnapshot('snap')).toBeUndefined();
      const { epoch } = (await appendMany(a, 'snap', range(1, 5)))[0]!;
      const data = { keys: [['a', 1]] };
      expect(await a.saveSnapshot('snap', { epoch, seq: 4, data })).toBe(true);
      data.keys.push(['b', 2]);
      const loaded = await b.loadSnapshot<{ keys: unknown[] }>('snap');
      expect(loaded).toEqual({ epoch, seq: 4, data: { keys: [['a', 1]] } });
      expect(await a.saveSnapshot('snap', { epoch, seq: 3, data: 'older' })).toBe(false);
      expect(await a.saveSnapshot('snap', { epoch, seq: 6, data: 'past the end' })).toBe(false);
      expect(await a.saveSnapshot('snap', { epoch: `${epoch}-other`, seq: 1, data: 'other' })).toBe(false);
      expect((await b.loadSnapshot('snap'))?.seq).toBe(4);
    },
  },
  {
    name: 'refuses data that does not survive JSON',
    async run(open) {
      const [bus] = (await open(1, { logCapacity: LOG })) as [Bus];
      for (const bad of [undefined, 10n]) {
        const refused = await bus.append('json', bad).catch((error: unknown) => error);
        expect(isBusError(refused, 'invalid_data'), String(bad)).toBe(true);
      }
      expect((await bus.position('json')).seq).toBe(0);
    },
  },
  {
    name: 'close releases the handle’s tails and refuses later calls; other handles go on',
    async run(open) {
      const [a, b] = (await open(2, { logCapacity: LOG })) as [Bus, Bus];
      const { entries } = await collect(b, 'close');
      await a.append('close', 1);
      await until('the first entry', () => entries().length === 1);
      await b.close();
      await a.append('close', 2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seqsOf(entries())).toEqual([1]);
      expect(isBusError(await b.append('close', 3).catch((error: unknown) => error), 'closed')).toBe(true);
      expect((await a.position('close')).seq).toBe(2);
    },
  },
];

/** `open`, remembering every handle it opened so they can all be closed after a check. */
function tracked(open: OpenBuses) {
  const handles: Bus[] = [];
  const tracking: OpenBuses = async (count, options) => {
    const opened = await open(count, options);
    handles.push(...opened);
    return opened;
  };
  const closeAll = async () => {
    await Promise.allSettled(handles.splice(0).map((handle) => handle.close()));
  };
  return { tracking, closeAll };
}

/**
 * The conformance suite: every {@link busChecks} property as a vitest test against the implementation `open`
 * makes. Each bus runs it unchanged, so the embedded and the Redis bus are held to one contract.
 */
export function busConformance(name: string, open: OpenBuses): void {
  describe(`${name} keeps the Bus contract`, () => {
    const { tracking, closeAll } = tracked(open);
    afterEach(closeAll);
    for (const check of busChecks) it(check.name, () => check.run(tracking));
  });
}

/** Runs every check against `open` outside vitest's tests; the names of those that failed (to prove it can fail). */
export async function failedChecks(open: OpenBuses): Promise<string[]> {
  const failed: string[] = [];
  for (const check of busChecks) {
    const { tracking, closeAll } = tracked(open);
    try {
      await check.run(tracking);
    } catch {
      failed.push(check.name);
    } finally {
      await closeAll();
    }
  }
  return failed;
}
