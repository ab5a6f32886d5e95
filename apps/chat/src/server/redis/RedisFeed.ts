import type { Redis } from 'ioredis';
import type { ChatFeed, FeedEvent, FeedHandler } from '../feed/ChatFeed.js';
import { defineScripts, type Script } from './luaScripts.js';
import type { ChatKeys } from './redisKeys.js';
import { STORE_SCRIPTS } from './storeScripts.js';

/** Options for {@link RedisFeed}. */
export interface RedisFeedOptions {
  /** The connection for commands; the feed reads on a connection of its own (a blocking `XREAD`). */
  redis: Redis;
  keys: ChatKeys;
  /** The feed's length bound (approximate). @default 100000 */
  feedLength?: number;
  /** How long one `XREAD` blocks before it is made again (and how soon `close` is noticed). @default 1000 */
  blockMs?: number;
  /** After a failed read, the wait before the next. @default 250 */
  retryMs?: number;
  /** Told of entries a node missed (the feed was trimmed past it): their count. */
  onMissed?: (count: number) => void;
  /** Told of a read or a handler that failed. */
  onError?: (error: unknown) => void;
}

type RawEntry = [id: string, fields: string[]];

/** Whether stream id `a` is at or past `b` (`<ms>-<seq>`, compared as numbers). */
function reached(a: string, b: string): boolean {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return am > bm || (am === bm && as >= bs);
}

/**
 * The {@link ChatFeed} on Redis: one Redis Stream that every node reads whole with `XREAD BLOCK` on a connection of
 * its own, handing each entry to the node's handler one at a time. The store's scripts append to it in the same step
 * as the write they announce; a node's signals are appended by one small script. Entries are numbered densely (`n`),
 * so a node that was left behind by the trim knows it missed some (its clients then find the holes by seq).
 */
export class RedisFeed implements ChatFeed {
  readonly #redis: Redis;
  readonly #reader: Redis;
  readonly #keys: ChatKeys;
  readonly #options: RedisFeedOptions;
  readonly #publish: Script;
  /** Waiters for this node to have handled the entry at an id. */
  #waiters: Array<{ id: string; resolve: () => void }> = [];
  #position = '0-0';
  #count: number | undefined;
  #closed = false;
  #loop: Promise<void> | undefined;

  constructor(options: RedisFeedOptions) {
    this.#options = options;
    this.#redis = options.redis;
    this.#keys = options.keys;
    this.#reader = options.redis.duplicate();
    this.#publish = defineScripts(this.#redis, { publish: STORE_SCRIPTS.publish }).publish;
  }

  async publish(event: FeedEvent): Promise<void> {
    const { feed, feedCount } = this.#keys;
    await this.#publish(feed, feedCount, this.#options.feedLength ?? 100_000, JSON.stringify(event));
  }

  /** Follows the feed from its current end (what was announced before this node came is in the store). */
  async start(handler: FeedHandler): Promise<void> {
    const [last] = (await this.#redis.xrevrange(this.#keys.feed, '+', '-', 'COUNT', 1)) as RawEntry[];
    if (last !== undefined) {
      this.#position = last[0];
      this.#count = Number(fieldOf(last, 'n'));
    }
    this.#loop = this.#follow(handler);
  }

  async caughtUp(): Promise<void> {
    const [last] = (await this.#redis.xrevrange(this.#keys.feed, '+', '-', 'COUNT', 1)) as RawEntry[];
    if (last === undefined || this.#closed || reached(this.#position, last[0])) return;
    await new Promise<void>((resolve) => this.#waiters.push({ id: last[0], resolve }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#reader.disconnect();
    await this.#loop;
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
  }

  async #follow(handler: FeedHandler): Promise<void> {
    const { blockMs = 1000, retryMs = 250 } = this.#options;
    while (!this.#closed) {
      let entries: RawEntry[];
      try {
        const reply = (await this.#reader.xread(
          'COUNT',
          256,
          'BLOCK',
          blockMs,
          'STREAMS',
          this.#keys.feed,
          this.#position,
        )) as [string, RawEntry[]][] | null;
        entries = reply?.[0]?.[1] ?? [];
      } catch (error) {
        if (this.#closed) return;
        this.#options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, retryMs));
        continue;
      }
      for (const entry of entries) {
        if (this.#closed) return;
        await this.#handle(entry, handler);
      }
    }
  }

  async #handle(entry: RawEntry, handler: FeedHandler): Promise<void> {
    const n = Number(fieldOf(entry, 'n'));
    if (this.#count !== undefined && n > this.#count + 1) this.#options.onMissed?.(n - this.#count - 1);
    this.#count = n;
    try {
      await handler(JSON.parse(fieldOf(entry, 'e') ?? 'null') as FeedEvent);
    } catch (error) {
      this.#options.onError?.(error);
    }
    this.#position = entry[0];
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!reached(this.#position, waiter.id)) return true;
      waiter.resolve();
      return false;
    });
  }
}

/** The value of field `name` in a raw stream entry. */
function fieldOf([, fields]: RawEntry, name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
