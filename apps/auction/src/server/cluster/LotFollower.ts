import type { AuctionState } from '@twohop/auction/domain';
import { randomEpochId, systemClock, type Clock } from '@twohop/sequence';
import { StreamCatalog } from '@twohop/server';
import { keyedState, StreamMirror, type KeyedChange, type KeyedSnapshot } from '@twohop/snapshot-delta';
import { Redis } from 'ioredis';
import {
  bidsStream,
  CATALOG_STREAM,
  lotStream,
  type BidEntry,
  type LotView,
  type Notice,
} from '../../client/wire.js';
import { publisher } from '../LotFeed.js';
import { lotView, type Alias, type LotField, type LotViews } from '../lotView.js';
import { redisKeys, sharedKeys } from '../store/redisKeys.js';
import { EVENTS_KEPT } from '../store/scriptParts.js';
import { fieldsOf, LotLog, logEntryOf, type LogEntry } from './lotLog.js';

/** Options for {@link LotFollower}. */
export interface LotFollowerOptions {
  /** The Redis the store's scripts write to, `redis://host:port`. */
  redis: string;
  /** The store's key prefix. */
  prefix: string;
  alias: Alias;
  /** Hears every change of every lot, from any node, once per version (the close timers re-arm on it). */
  onChange?: (state: AuctionState) => void;
  /** Hears every lot's close, from any node, once. */
  onClosed?: (state: AuctionState) => void;
  /** Hears every notice to every user (the node sends it to the user's tabs it serves). */
  onNotice?: (userId: string, notice: Notice) => void;
  /** Hears what the tail could not do (a failed read); it retries, then resyncs every lot. */
  onError?: (error: unknown) => void;
  /** How long one `XREAD BLOCK` waits. @default 1000 */
  blockMs?: number;
  /** How long to wait after a failed read. @default 500 */
  retryMs?: number;
  /** Times the retries. @default systemClock */
  clock?: Clock;
  /** The wall clock that stamps the lot list's deltas (`ts`). @default Date.now */
  now?: () => number;
}

type Mirror<V> = StreamMirror<Map<string, V>, readonly KeyedChange<V>[], KeyedSnapshot<V>>;
interface Followed {
  readonly log: LotLog;
  readonly lot: Mirror<LotField>;
  readonly bids: Mirror<BidEntry>;
}

/**
 * One node's view of every lot, followed from Redis: the store's scripts append each change of a lot to the lot's
 * log and to one event stream, and this follower tails that event stream (`XREAD BLOCK`, one connection) and feeds
 * each lot's two streams — `StreamMirror`s numbered by the log (`auction:<id>` by version, `bids:<id>` by bid count,
 * in the feed's epoch) — so every node serves the same seqs and a client may resume on any of them. A mirror that
 * sees a gap catches up from the lot's log (lotLog.ts). The lot list `auctions` is this node's own stream, built from
 * the same changes. Notices on the event stream go to `onNotice`.
 */
export class LotFollower implements LotViews {
  readonly catalog = new StreamCatalog();
  readonly lots;
  readonly #options: LotFollowerOptions;
  readonly #clock: Clock;
  readonly #redis: Redis;
  readonly #reader: Redis;
  readonly #keys;
  readonly #followed = new Map<string, Followed>();
  readonly #states = new Map<string, AuctionState>();
  readonly #views = new Map<string, LotView>();
  #epoch = '';
  #lastId = '0-0';
  #closed = false;
  #loop: Promise<void> = Promise.resolve();

  constructor(options: LotFollowerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#redis = new Redis(options.redis);
    this.#reader = new Redis(options.redis);
    this.#keys = sharedKeys(options.prefix);
    this.lots = publisher<LotView>(CATALOG_STREAM, 1024, options.now ?? Date.now);
    this.catalog.add(this.lots);
  }

  /** The epoch of every lot stream and every notice (kept in Redis; a new one when Redis lost it). */
  get epoch(): string {
    return this.#epoch;
  }

  /** The commands connection, for the notices' catch-up. */
  get redis(): Redis {
    return this.#redis;
  }

  view(auction: string): LotView | undefined {
    return this.#views.get(auction);
  }

  get views(): ReadonlyMap<string, LotView> {
    return this.#views;
  }

  /** Takes a lot off every node's list: recorded in Redis, announced on the event stream. */
  retire(auction: string): void {
    void this.#redis
      .multi()
      .sadd(this.#keys.retired, auction)
      .xadd(this.#keys.events, 'MAXLEN', '~', EVENTS_KEPT, '*', 'retired', auction)
      .exec()
      .catch((error: unknown) => this.#options.onError?.(error));
  }

  /** Follows every lot on the list, then the event stream; resolves once every lot's streams are live. */
  async start(): Promise<void> {
    await this.#readEpoch();
    const newest = await this.#redis.xrevrange(this.#keys.events, '+', '-', 'COUNT', 1);
    this.#lastId = newest[0]?.[0] ?? '0-0';
    await this.#followListed();
    this.#loop = this.#run();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#reader.disconnect();
    await this.#loop;
    for (const followed of this.#followed.values()) this.#stop(followed);
    await this.#redis.quit().catch(() => undefined);
  }

  async #readEpoch(): Promise<void> {
    await this.#redis.set(this.#keys.epoch, randomEpochId(), 'NX');
    this.#epoch = (await this.#redis.get(this.#keys.epoch)) ?? this.#epoch;
  }

  async #followListed(): Promise<void> {
    const ids = await this.#redis.sdiff(this.#keys.catalog, this.#keys.retired);
    await Promise.all(ids.filter((id) => !this.#followed.has(id)).map((id) => this.#follow(id)));
  }

  /** Starts serving a lot's streams: mirrors caught up from its log, then its newest state shown. */
  async #follow(id: string): Promise<void> {
    const log = new LotLog(
      this.#redis,
      redisKeys(this.#options.prefix, id).bids,
      () => this.#epoch,
      this.#options.alias,
    );
    const common = { clock: this.#clock, ...this.#onError() };
    const lot: Mirror<LotField> = new StreamMirror({
      ...common,
      model: keyedState<LotField>(),
      stream: lotStream(id),
      historyCapacity: 256,
      catchUp: (position) => log.catchUpLot(position),
    });
    const bids: Mirror<BidEntry> = new StreamMirror({
      ...common,
      model: keyedState<BidEntry>(),
      stream: bidsStream(id),
      historyCapacity: 1024,
      catchUp: (position) => log.catchUpBids(position),
    });
    this.#followed.set(id, { log, lot, bids });
    this.catalog.add(lot);
    // Every accepted bid matters to the history: never merged, a subscriber too far behind resyncs.
    this.catalog.add(bids, { delivery: 'reliable' });
    await Promise.all([lot.start(), bids.start()]);
    const last = await log.last();
    if (last !== undefined) this.#show(last);
  }

  #stop(followed: Followed): void {
    followed.lot.close();
    followed.bids.close();
  }

  async #run(): Promise<void> {
    let failed = false;
    while (!this.#closed) {
      try {
        const reply = await this.#reader.xread(
          'COUNT',
          500,
          'BLOCK',
          this.#options.blockMs ?? 1000,
          'STREAMS',
          this.#keys.events,
          this.#lastId,
        );
        if (failed) await this.#recover();
        failed = false;
        for (const [, entries] of reply ?? []) {
          for (const [id, flat] of entries) {
            this.#lastId = id;
            this.#onEvent(fieldsOf(flat));
          }
        }
      } catch (error) {
        if (this.#closed) return;
        this.#options.onError?.(error);
        failed = true;
        await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, this.#options.retryMs ?? 500));
      }
    }
  }

  /** After a failed read: events may have been missed (or trimmed), so every lot catches up from its log. */
  async #recover(): Promise<void> {
    const before = this.#epoch;
    await this.#readEpoch();
    const epoch = this.#epoch;
    this.#epoch = before;
    // Resynced whether or not the epoch changed: what the failed reads missed is in the logs.
    this.#newEpoch(epoch);
    await this.#followListed();
  }

  #onEvent(fields: Map<string, string>): void {
    const epoch = fields.get('epoch');
    if (epoch !== undefined && epoch !== this.#epoch) this.#newEpoch(epoch);
    const user = fields.get('user');
    if (user !== undefined)
      return this.#options.onNotice?.(user, JSON.parse(fields.get('notice')!) as Notice);
    const retired = fields.get('retired');
    if (retired !== undefined) return this.#drop(retired);
    const entry = logEntryOf(fields);
    const id = entry.state.terms.id;
    const followed = this.#followed.get(id);
    // A lot new to this node: following it catches up from its log, which holds this change too.
    if (followed === undefined)
      return void this.#follow(id).catch((error: unknown) => this.#options.onError?.(error));
    followed.lot.receive(followed.log.lotDelta(entry));
    const bid = followed.log.bidDelta(entry);
    if (bid !== undefined) followed.bids.receive(bid);
    this.#show(entry);
  }

  /**
   * Redis lost its data (a restart without persistence): the scripts started a new epoch. Every lot starts again in
   * it — each mirror catches up from the lot's log, which answers the new epoch's snapshot once the lot is there again
   * (the simulator opens its lots again) — and the list forgets the versions it had shown.
   */
  #newEpoch(epoch: string): void {
    if (epoch !== this.#epoch) this.#states.clear();
    this.#epoch = epoch;
    for (const { lot, bids } of this.#followed.values()) {
      lot.resync();
      bids.resync();
    }
  }

  /** Shows a lot's newer state on the list and tells who listens (a version seen before is not told again). */
  #show(entry: LogEntry): void {
    const { state } = entry;
    const id = state.terms.id;
    if ((this.#states.get(id)?.version ?? -1) >= state.version || !this.#followed.has(id)) return;
    this.#states.set(id, state);
    const view = lotView(state, entry.at, this.#options.alias);
    this.#views.set(id, view);
    this.lots.publish([{ op: 'set', key: id, value: view }]);
    this.#options.onChange?.(state);
    if (state.status === 'closed') this.#options.onClosed?.(state);
  }

  #drop(id: string): void {
    const followed = this.#followed.get(id);
    if (followed === undefined) return;
    this.#followed.delete(id);
    this.#stop(followed);
    this.catalog.remove(lotStream(id));
    this.catalog.remove(bidsStream(id));
    this.#views.delete(id);
    this.lots.publish([{ op: 'remove', key: id }]);
  }

  #onError() {
    const onError = this.#options.onError;
    return onError === undefined ? {} : { onError };
  }
}
