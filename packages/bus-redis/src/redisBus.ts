import { BusError, encodeBusData, type Bus, type BusEntry, type BusTail, type LogRead } from '@twohop/bus';
import { randomEpochId, systemClock, type Clock, type StreamPosition } from '@twohop/sequence';
import { Redis, type RedisOptions } from 'ioredis';
import { fieldsOf, streamKeys, type RawEntry } from './keys.js';
import { startTail } from './redisTail.js';
import { defineScripts } from './scripts.js';

/** Options for {@link redisBus}. */
export interface RedisBusOptions {
  /** The server, `redis://host:port[/db]`. */
  url: string;
  /** Put before every key, so several buses (or tests) can share one Redis. @default 'twohop:' */
  prefix?: string;
  /** Entries each stream's log keeps (`XADD … MAXLEN`); older ones are trimmed. @default 10000 */
  logCapacity?: number;
  /** How long a tail's `XREAD BLOCK` waits before it checks the stream's epoch. @default 1000 */
  blockMs?: number;
  /** How long an old epoch's log is kept after a reset, for tails still reading it. @default 60000 */
  oldLogTtlMs?: number;
  /** How long a tail waits after a failed read (Redis down). @default 500 */
  retryMs?: number;
  /** Makes each new epoch id. @default a random UUID */
  newEpochId?: () => string;
  /** Hears what a tail could not do (a failed read, a listener that threw); tails go on. @default none */
  onError?: (error: unknown) => void;
  /** Times the tails' retries. @default systemClock */
  clock?: Clock;
  /** More ioredis options (TLS, a password, …). */
  redis?: RedisOptions;
}

/** The message of whatever an ioredis call threw. */
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Connects `redis`, or rejects with `unavailable` (and stops its reconnecting). Its connection errors while it
 * reconnects go to `onError`: every call meanwhile is refused with `unavailable` anyway.
 */
async function connect(redis: Redis, url: string, onError: (error: unknown) => void): Promise<Redis> {
  redis.on('error', onError);
  try {
    await redis.connect();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new BusError('unavailable', `cannot reach Redis at ${url}: ${messageOf(error)}`);
  }
}

const positionOf = (reply: unknown): StreamPosition => {
  const [epoch, seq] = reply as [string, number];
  return { epoch, seq: Number(seq) };
};

/**
 * The {@link Bus} on Redis: several nodes, each with its own handle, share every stream's numbering.
 *
 * Each stream's seq is given by one Lua script that keeps the epoch, increments the seq and appends the change to
 * the epoch's Redis Stream under the entry id `<seq>-0` — atomically, so seqs stay dense whichever node appends,
 * and a gap stays a gap. Reads are `XRANGE` from the next seq, and a log whose first entry is past it is
 * `trimmed`, never a shorter log. Each tail reads with `XREAD BLOCK` on a connection of its own. When Redis loses
 * a stream's meta key (a restart without persistence, an eviction) the next call starts a fresh epoch, so every
 * reader sees an epoch change. Commands fail at once with `unavailable` while Redis cannot be reached (nothing is
 * queued); the connection comes back on its own.
 */
export async function redisBus(options: RedisBusOptions): Promise<Bus> {
  const prefix = options.prefix ?? 'twohop:';
  const capacity = options.logCapacity ?? 10_000;
  const newEpochId = options.newEpochId ?? randomEpochId;
  const onError = options.onError ?? (() => {});
  const connectionOptions: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    ...options.redis,
  };
  const redis = await connect(new Redis(options.url, connectionOptions), options.url, onError);
  const run = defineScripts(redis);
  const tails = new Set<BusTail>();
  let closed = false;

  /** Runs `call` on an open handle; a Redis failure becomes `unavailable`. */
  const guard = async <T>(call: () => Promise<T>): Promise<T> => {
    if (closed) throw new BusError('closed', 'this bus handle is closed');
    try {
      return await call();
    } catch (error) {
      if (error instanceof BusError) throw error;
      throw new BusError('unavailable', `redis: ${messageOf(error)}`);
    }
  };
  const position = (stream: string) =>
    guard(async () => positionOf(await run('position', streamKeys(prefix, stream).meta, newEpochId())));

  return {
    append(stream, data, ts) {
      return guard(async () => {
        const json = encodeBusData(data);
        const keys = streamKeys(prefix, stream);
        const given = await run('append', keys.meta, newEpochId(), keys.logPrefix, capacity, json, ts ?? '');
        return positionOf(given);
      });
    },

    position,

    read<T>(stream: string, after: StreamPosition): Promise<LogRead<T>> {
      return guard(async () => {
        const keys = streamKeys(prefix, stream);
        const reply = (await run(
          'read',
          keys.meta,
          newEpochId(),
          keys.logPrefix,
          after.epoch,
          after.seq,
        )) as [string, string, number, RawEntry[]?];
        const [verdict, epoch, seq, raw] = reply;
        const at = { epoch, seq: Number(seq) };
        if (verdict !== 'ok')
          return { ok: false, reason: verdict as 'epoch' | 'trimmed' | 'ahead', position: at };
        const entries = (raw ?? []).map((entry): BusEntry<T> => {
          const fields = fieldsOf(entry);
          const ts = fields.get('t');
          const base = {
            epoch,
            seq: Number(entry[0].split('-')[0]),
            data: JSON.parse(fields.get('d')!) as T,
          };
          return ts === undefined ? base : { ...base, ts: Number(ts) };
        });
        return { ok: true, entries, position: at };
      });
    },

    tail(stream, listener) {
      return guard(async () => {
        const from = await position(stream);
        const connection = await connect(redis.duplicate(), options.url, onError);
        const tail = startTail(
          {
            connection,
            keys: streamKeys(prefix, stream),
            from,
            position: () => position(stream),
            blockMs: options.blockMs ?? 1000,
            retryMs: options.retryMs ?? 500,
            clock: options.clock ?? systemClock,
            onError,
          },
          listener as Parameters<typeof startTail>[1],
        );
        const handle: BusTail = {
          async close() {
            tails.delete(handle);
            await tail.close();
          },
        };
        tails.add(handle);
        return handle;
      });
    },

    saveSnapshot(stream, snapshot) {
      return guard(async () => {
        const json = encodeBusData(snapshot.data);
        const keys = streamKeys(prefix, stream);
        const kept = await run(
          'saveSnapshot',
          keys.meta,
          keys.snapshot,
          newEpochId(),
          snapshot.epoch,
          snapshot.seq,
          json,
        );
        return kept === 1;
      });
    },

    loadSnapshot<W>(stream: string) {
      return guard(async () => {
        const keys = streamKeys(prefix, stream);
        const kept = (await run('loadSnapshot', keys.meta, keys.snapshot, newEpochId())) as string[];
        if (kept.length === 0) return undefined;
        const [epoch, seq, json] = kept as [string, string, string];
        return { epoch, seq: Number(seq), data: JSON.parse(json) as W };
      });
    },

    reset(stream, data) {
      return guard(async () => {
        const json = data === undefined ? '' : encodeBusData(data);
        const keys = streamKeys(prefix, stream);
        const ttl = options.oldLogTtlMs ?? 60_000;
        return positionOf(
          await run('reset', keys.meta, keys.snapshot, newEpochId(), keys.logPrefix, ttl, json),
        );
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...tails].map((tail) => tail.close()));
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
