import { randomEpochId, type StreamPosition } from '@twohop/sequence';
import { HistoryRing } from '@twohop/snapshot-delta';
import type { Bus, BusEntry, BusEvent, BusSnapshot, BusTail, LogRead } from './Bus.js';
import { BusError, encodeBusData as encode } from './BusError.js';

/** Options for {@link MemoryBusStore}. */
export interface MemoryBusStoreOptions {
  /** Entries each stream's log keeps; older ones are trimmed. @default 10000 */
  logCapacity?: number;
  /** Makes each new epoch id. @default a random UUID */
  newEpochId?: () => string;
}

/** An entry as stored: JSON text, as a network bus would hold it, so every reader gets its own copy. */
type Stored = string;
type TailListener = (event: BusEvent) => void;

interface StreamLog {
  epoch: string;
  seq: number;
  log: HistoryRing<Stored>;
  snapshot: { readonly epoch: string; readonly seq: number; readonly json: string } | undefined;
  readonly tails: Set<TailListener>;
}

/**
 * What every {@link memoryBus} handle on it shares: the streams' logs, snapshots and tails — the in-process
 * counterpart of a Redis server. Each stream's numbering is a plain increment: one thread makes it atomic.
 */
export class MemoryBusStore {
  readonly #streams = new Map<string, StreamLog>();
  readonly #capacity: number;
  readonly #newEpochId: () => string;

  constructor(options: MemoryBusStoreOptions = {}) {
    this.#capacity = options.logCapacity ?? 10_000;
    this.#newEpochId = options.newEpochId ?? randomEpochId;
  }

  /** The stream's log, made in a fresh epoch on first use (as a Redis bus makes its epoch when the key is absent). */
  log(stream: string): StreamLog {
    let log = this.#streams.get(stream);
    if (log === undefined) {
      log = { epoch: '', seq: 0, log: this.#ring(), snapshot: undefined, tails: new Set() };
      log.epoch = this.#newEpochId();
      this.#streams.set(stream, log);
    }
    return log;
  }

  /** Starts `log` over in a fresh epoch. */
  renew(log: StreamLog): void {
    log.epoch = this.#newEpochId();
    log.seq = 0;
    log.log = this.#ring();
  }

  #ring(): HistoryRing<Stored> {
    const ring = new HistoryRing<Stored>(this.#capacity);
    ring.clear(0);
    return ring;
  }
}

/** Options for {@link memoryBus}. */
export interface MemoryBusOptions extends MemoryBusStoreOptions {
  /** Share streams with other handles (other "nodes" in one process). @default a store of its own */
  store?: MemoryBusStore;
}

const position = (log: StreamLog): StreamPosition => ({ epoch: log.epoch, seq: log.seq });

/**
 * Delivers to the tails registered now, each on a later microtask of its own (as a network bus would: never inside
 * the call, and a listener that throws cannot keep the others from hearing).
 */
function notify(log: StreamLog, event: () => BusEvent): void {
  for (const listener of log.tails) queueMicrotask(() => listener(event()));
}

/**
 * The in-process {@link Bus}: the embedded default, and the reference the conformance suite is written against.
 * Logs are bounded rings (`logCapacity`), data is kept as JSON text, and tails hear each event on a microtask.
 */
export function memoryBus(options: MemoryBusOptions = {}): Bus {
  const store = options.store ?? new MemoryBusStore(options);
  const tails = new Set<{ log: StreamLog; listener: TailListener }>();
  let closed = false;
  const open = () => {
    if (closed) throw new BusError('closed', 'this bus handle is closed');
  };
  const entryOf = (epoch: string, seq: number, stored: Stored): BusEntry => ({
    epoch,
    seq,
    ...(JSON.parse(stored) as { data: unknown; ts?: number }),
  });

  return {
    async append(stream, data, ts) {
      open();
      encode(data); // `{data: undefined}` would pass as `{}`: the change itself must survive JSON
      const stored = encode(ts === undefined ? { data } : { data, ts });
      const log = store.log(stream);
      const seq = ++log.seq;
      const epoch = log.epoch;
      log.log.push(seq, stored);
      notify(log, () => ({ type: 'entry', entry: entryOf(epoch, seq, stored) }));
      return position(log);
    },

    async position(stream) {
      open();
      return position(store.log(stream));
    },

    async read<T>(stream: string, after: StreamPosition): Promise<LogRead<T>> {
      open();
      const log = store.log(stream);
      const at = position(log);
      if (after.epoch !== log.epoch) return { ok: false, reason: 'epoch', position: at };
      if (after.seq > log.seq) return { ok: false, reason: 'ahead', position: at };
      const stored = log.log.since(after.seq);
      if (stored === undefined) return { ok: false, reason: 'trimmed', position: at };
      const entries = stored.map((text, i) => entryOf(log.epoch, after.seq + 1 + i, text) as BusEntry<T>);
      return { ok: true, entries, position: at };
    },

    async tail<T>(stream: string, listener: (event: BusEvent<T>) => void): Promise<BusTail> {
      open();
      const log = store.log(stream);
      const tail = { log, listener: listener as TailListener };
      log.tails.add(tail.listener);
      tails.add(tail);
      return {
        async close() {
          log.tails.delete(tail.listener);
          tails.delete(tail);
        },
      };
    },

    async saveSnapshot(stream, snapshot: BusSnapshot) {
      open();
      const json = encode(snapshot.data);
      const log = store.log(stream);
      const kept = log.snapshot;
      if (snapshot.epoch !== log.epoch || snapshot.seq > log.seq) return false;
      if (kept !== undefined && kept.epoch === log.epoch && kept.seq > snapshot.seq) return false;
      log.snapshot = { epoch: snapshot.epoch, seq: snapshot.seq, json };
      return true;
    },

    async loadSnapshot<W>(stream: string): Promise<BusSnapshot<W> | undefined> {
      open();
      const log = store.log(stream);
      const kept = log.snapshot;
      if (kept === undefined || kept.epoch !== log.epoch) return undefined;
      return { epoch: kept.epoch, seq: kept.seq, data: JSON.parse(kept.json) as W };
    },

    async reset(stream, data) {
      open();
      const json = data === undefined ? undefined : encode(data);
      const log = store.log(stream);
      store.renew(log);
      log.snapshot = json === undefined ? undefined : { epoch: log.epoch, seq: 0, json };
      const at = position(log);
      notify(log, () => ({ type: 'reset', position: at }));
      return at;
    },

    async close() {
      closed = true;
      for (const tail of tails) tail.log.tails.delete(tail.listener);
      tails.clear();
    },
  };
}
