import { systemClock, type Clock } from '@twohop/sequence';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { ChatBackend } from '../feed/ChatBackend.js';
import { checkDurability, type Durability } from './checkDurability.js';
import { RedisChatStore } from './RedisChatStore.js';
import { RedisFeed } from './RedisFeed.js';
import { RedisPresence } from './RedisPresence.js';
import { chatKeys } from './redisKeys.js';

/** Options for {@link redisBackend}. */
export interface RedisBackendOptions {
  /** `redis://host:port`. */
  url: string;
  /** This node's name (`TWOHOP_NODE`); the process gets a unique instance id under it. */
  node: string;
  /** Prepended to every key. @default 'twohop:chat:' */
  prefix?: string;
  /**
   * What to do when Redis does not fsync before answering (`checkDurability`): `warn` logs it and runs (an
   * acknowledged message may then be lost if Redis crashes); `require` refuses to start. @default 'warn'
   */
  durability?: 'warn' | 'require';
  /** How long a node counts as alive without renewing (a killed node's users leave within it). @default 10000 */
  presenceTtlMs?: number;
  /** The wall clock for messages and presence. @default Date.now */
  now?: () => number;
  /** @default systemClock */
  clock?: Clock;
  /** Where warnings go. @default console.warn */
  warn?: (line: string) => void;
}

/** Thrown when `durability: 'require'` and the Redis server does not fsync before answering. */
export class NotDurableError extends Error {
  readonly code = 'not_durable';
  constructor(readonly durability: Durability) {
    super(
      `Redis does not fsync before answering (${durability.detail}): an acknowledged message could be lost; ` +
        'run it with appendonly yes and appendfsync always',
    );
  }
}

/** {@link redisBackend}'s backend, with what it found at start. */
export interface RedisBackend extends ChatBackend {
  readonly durability: Durability;
  /** This process's id in the cluster: `<node>:<random>`. */
  readonly instance: string;
}

/**
 * The chat's backend for several nodes on one Redis: the {@link RedisChatStore}, the {@link RedisFeed} every node
 * reads, and {@link RedisPresence}. Checks the server's persistence first (warns or refuses, as `durability` says),
 * then follows the feed and declares this node alive. Resolves with the backend and what the check found.
 */
export async function redisBackend(options: RedisBackendOptions): Promise<RedisBackend> {
  const redis = new Redis(options.url, { lazyConnect: true });
  await redis.connect();
  const warn = options.warn ?? ((line: string) => console.warn(line));
  const durability = await checkDurability(redis);
  if (!durability.durable) {
    if (options.durability === 'require') {
      redis.disconnect();
      throw new NotDurableError(durability);
    }
    warn(
      `chat: Redis does not fsync before answering (${durability.detail}): an acknowledged message may be lost ` +
        'if Redis crashes; run it with appendonly yes and appendfsync always',
    );
  }
  const keys = chatKeys(options.prefix ?? 'twohop:chat:');
  const instance = `${options.node}:${randomBytes(4).toString('hex')}`;
  const now = options.now ?? Date.now;
  const store = new RedisChatStore({ redis, prefix: keys.prefix, now });
  const feed = new RedisFeed({
    redis,
    keys,
    onMissed: (count) => warn(`chat: this node missed ${count} feed entries (trimmed before it read them)`),
    onError: (error) => warn(`chat: feed: ${(error as Error).message}`),
  });
  const presence = new RedisPresence({
    redis,
    keys,
    instance,
    ttlMs: options.presenceTtlMs ?? 10_000,
    now,
    clock: options.clock ?? systemClock,
    onError: (error) => warn(`chat: presence: ${(error as Error).message}`),
  });
  await presence.start();
  return {
    store,
    feed,
    presence,
    durability,
    instance,
    async close() {
      await presence.close();
      await feed.close();
      await store.close();
    },
  };
}
