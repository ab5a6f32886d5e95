import type { AuctionState, BidAccepted } from '@twohop/auction/domain';
import type { StreamPosition } from '@twohop/sequence';
import type { KeyedChange, KeyedSnapshot, UpstreamCatchUp, UpstreamDelta } from '@twohop/snapshot-delta';
import type { Redis } from 'ioredis';
import type { BidEntry } from '../../client/wire.js';
import {
  bidChanges,
  bidEntry,
  BID_HISTORY,
  lotChanges,
  lotView,
  type Alias,
  type LotField,
} from '../lotView.js';

/** One entry of a lot's log in Redis (written by the store's scripts): the state after a change, at the store's time. */
export interface LogEntry {
  readonly state: AuctionState;
  readonly at: number;
  /** The outcome, when the change was an accepted bid. */
  readonly bid?: BidAccepted;
}

/** A log entry from its fields, as a Redis Stream entry holds them (`state`, `at`, `bid?`). */
export function logEntryOf(fields: ReadonlyMap<string, string>): LogEntry {
  const bid = fields.get('bid');
  return {
    state: JSON.parse(fields.get('state')!) as AuctionState,
    at: Number(fields.get('at')),
    ...(bid === undefined ? {} : { bid: JSON.parse(bid) as BidAccepted }),
  };
}

/** The fields of a raw Redis Stream entry (`[id, [field, value, …]]`), by name. */
export function fieldsOf(flat: readonly string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
  return fields;
}

type Delta<V> = UpstreamDelta<readonly KeyedChange<V>[]>;
type CatchUp<V> = UpstreamCatchUp<KeyedSnapshot<V>, readonly KeyedChange<V>[]>;

/**
 * How a node derives a lot's two streams from its log, the same way on every node: `auction:<id>` is numbered by
 * the lot's version (each delta sets every field of the lot's view, computed from the entry alone, so each node sends
 * the same delta for the same seq) and `bids:<id>` by its bid count (an accepted bid is one version and one bid; the
 * close is one more version and no bid). Both are in the feed's `epoch`.
 */
export class LotLog {
  constructor(
    readonly redis: Redis,
    /** The lot's log key. */
    readonly key: string,
    readonly epoch: () => string,
    readonly alias: Alias,
  ) {}

  /** `auction:<id>`'s delta for one entry. */
  lotDelta(entry: LogEntry): Delta<LotField> {
    const view = lotView(entry.state, entry.at, this.alias);
    return { epoch: this.epoch(), seq: entry.state.version, data: lotChanges(undefined, view), ts: entry.at };
  }

  /** `bids:<id>`'s delta for one entry, when it is a bid. */
  bidDelta(entry: LogEntry): Delta<BidEntry> | undefined {
    if (entry.bid === undefined) return undefined;
    const data = bidChanges(bidEntry(entry.bid, entry.state, this.alias));
    return { epoch: this.epoch(), seq: entry.bid.bidCount, data, ts: entry.at };
  }

  /** The newest entry, or undefined for a lot with no log. */
  async last(): Promise<LogEntry | undefined> {
    return (await this.#newest(1))[0];
  }

  /** `auction:<id>` after `position`: the entries after it while it is in this epoch and not past the log, else the newest. */
  async catchUpLot(position: StreamPosition | undefined): Promise<CatchUp<LotField>> {
    if (position?.epoch === this.epoch()) {
      const after = await this.#after(position.seq + 1);
      const head = after.at(-1)?.state.version ?? (await this.last())?.state.version ?? 0;
      if (head >= position.seq)
        return { recovered: true, deltas: after.map((entry) => this.lotDelta(entry)) };
    }
    const newest = await this.last();
    if (newest === undefined) throw new Error(`${this.key}: no log`);
    const view = lotView(newest.state, newest.at, this.alias);
    return {
      recovered: false,
      snapshot: {
        epoch: this.epoch(),
        seq: newest.state.version,
        data: Object.entries(view) as [string, LotField][],
      },
    };
  }

  /** `bids:<id>` after `position`, the same way; its snapshot holds the newest `BID_HISTORY` bids, oldest first. */
  async catchUpBids(position: StreamPosition | undefined): Promise<CatchUp<BidEntry>> {
    if (position?.epoch === this.epoch()) {
      // The bid numbered n made version n (the close is the only change that is not a bid, and it comes last).
      const after = await this.#after(position.seq + 1);
      const head = (after.at(-1) ?? (await this.last()))?.state.bidCount ?? 0;
      const deltas = after
        .flatMap((entry) => this.bidDelta(entry) ?? [])
        .filter((delta) => delta.seq > position.seq);
      if (head >= position.seq) return { recovered: true, deltas };
    }
    const newest = await this.#newest(BID_HISTORY + 2);
    const top = newest[0];
    if (top === undefined) throw new Error(`${this.key}: no log`);
    const bids = newest
      .flatMap((entry) => this.bidDelta(entry)?.data[0] ?? [])
      .filter((change) => change.op === 'set')
      .map((change): [string, BidEntry] => [change.key, change.value])
      .slice(0, BID_HISTORY)
      .reverse();
    return { recovered: false, snapshot: { epoch: this.epoch(), seq: top.state.bidCount, data: bids } };
  }

  /** The entries from version `from` on, oldest first. */
  async #after(from: number): Promise<LogEntry[]> {
    const raw = await this.redis.xrange(this.key, `${from}-0`, '+');
    return raw.map(([, flat]) => logEntryOf(fieldsOf(flat)));
  }

  /** The newest `count` entries, newest first. */
  async #newest(count: number): Promise<LogEntry[]> {
    const raw = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', count);
    return raw.map(([, flat]) => logEntryOf(fieldsOf(flat)));
  }
}
