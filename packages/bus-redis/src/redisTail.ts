import type { BusEntry, BusEvent, BusTail } from '@twohop/bus';
import type { Clock, StreamPosition, TimerHandle } from '@twohop/sequence';
import type { Redis } from 'ioredis';
import { fieldsOf, type RawEntry, type StreamKeys } from './keys.js';

/** What a tail needs from the bus that opened it. */
export interface TailOptions {
  /** A connection of the tail's own: `XREAD BLOCK` holds it. */
  readonly connection: Redis;
  readonly keys: StreamKeys;
  /** The stream's position when the tail started: it hears what comes after. */
  readonly from: StreamPosition;
  /** The stream's position now (through the bus's create-if-absent rule): asked when a read times out. */
  readonly position: () => Promise<StreamPosition>;
  /** How long one `XREAD BLOCK` waits before the tail checks the epoch. */
  readonly blockMs: number;
  /** How long to wait after a failed read. */
  readonly retryMs: number;
  readonly clock: Clock;
  readonly onError: (error: unknown) => void;
}

const BATCH = 1000;

/**
 * Follows one stream's log with `XREAD BLOCK` from the seq it last delivered, so it hears every entry once, in seq
 * order, and can lose none while the log holds them (a tail that falls behind the trimmed log delivers a gap,
 * which a mirror notices and catches up from the snapshot). It switches epochs two ways: on the marker a reset
 * leaves at the end of the old log (`<seq>-1`), and — when a read times out or fails — on finding the stream in
 * another epoch (its numbering was lost, by a Redis restart say). Either way it reports a reset at seq 0 of the
 * new epoch and reads that epoch's log from its start.
 */
export function startTail(options: TailOptions, listener: (event: BusEvent) => void): BusTail {
  const { connection, keys, clock } = options;
  let { epoch, seq } = options.from;
  let closed = false;
  let sleeping: { timer: TimerHandle; wake: () => void } | undefined;

  const emit = (event: BusEvent) => {
    if (closed) return;
    try {
      listener(event);
    } catch (error) {
      options.onError(error);
    }
  };
  const switchTo = (next: string) => {
    epoch = next;
    seq = 0;
    emit({ type: 'reset', position: { epoch, seq } });
  };
  const deliver = (entries: RawEntry[]) => {
    for (const entry of entries) {
      const [id] = entry;
      const fields = fieldsOf(entry);
      const [seqPart, sub] = id.split('-');
      if (sub !== '0') return switchTo(fields.get('r')!); // a reset's marker ends this epoch's log
      seq = Number(seqPart);
      const ts = fields.get('t');
      const data = JSON.parse(fields.get('d')!) as unknown;
      const busEntry: BusEntry =
        ts === undefined ? { epoch, seq, data } : { epoch, seq, data, ts: Number(ts) };
      emit({ type: 'entry', entry: busEntry });
    }
  };
  const pause = () =>
    new Promise<void>((resolve) => {
      const wake = () => {
        sleeping = undefined;
        resolve();
      };
      sleeping = { timer: clock.setTimeout(wake, options.retryMs), wake };
    });

  const loop = async () => {
    let check = false;
    while (!closed) {
      try {
        if (check) {
          const now = await options.position();
          if (now.epoch !== epoch) switchTo(now.epoch);
          check = false;
        }
        const reply = (await connection.call(
          'XREAD',
          'COUNT',
          BATCH,
          'BLOCK',
          options.blockMs,
          'STREAMS',
          keys.log(epoch),
          `${seq}-0`,
        )) as [string, RawEntry[]][] | null;
        if (reply === null) check = true;
        else deliver(reply[0]![1]);
      } catch (error) {
        if (closed) break;
        options.onError(error);
        check = true;
        await pause();
      }
    }
  };
  const running = loop();

  return {
    async close() {
      if (closed) return running;
      closed = true;
      if (sleeping !== undefined) {
        clock.clearTimeout(sleeping.timer);
        sleeping.wake();
      }
      connection.disconnect();
      await running;
    },
  };
}
