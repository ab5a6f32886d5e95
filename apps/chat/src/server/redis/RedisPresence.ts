import type { Clock, TimerHandle } from '@twohop/sequence';
import type { Redis } from 'ioredis';
import { PresenceCounts } from '../../domain/Presence.js';
import type { PresenceRegistry } from '../feed/ChatBackend.js';
import { defineScripts, type Script } from './luaScripts.js';
import { PRESENCE_SCRIPTS } from './presenceScripts.js';
import type { ChatKeys } from './redisKeys.js';

/** Options for {@link RedisPresence}. */
export interface RedisPresenceOptions {
  redis: Redis;
  keys: ChatKeys;
  /** This node process, unique in the cluster even across restarts of a node of the same name. */
  instance: string;
  /**
   * How long this instance counts as alive without renewing: a killed node's users leave within this, plus one
   * sweep (a third of it). @default 10000
   */
  ttlMs?: number;
  /** @default 100000 */
  feedLength?: number;
  /** The wall clock for `since` (ms since the epoch). @default Date.now */
  now?: () => number;
  /** Renewal and sweep timers. */
  clock: Clock;
  /** Told of the instances a sweep of this node reaped. */
  onReaped?: (instances: string[]) => void;
  onError?: (error: unknown) => void;
}

/**
 * The shared {@link PresenceRegistry}: every node counts its connections in Redis (per room, per user, per instance,
 * src/server/redis/presenceScripts.ts) and each first arrival and last departure is announced on the feed by the same
 * script. Each instance renews `alive:<instance>` (lifetime `ttlMs`) every third of it and sweeps for instances that
 * did not: their connections leave, so a node killed with SIGKILL does not keep its users online. On a clean close it
 * withdraws its own connections at once.
 */
export class RedisPresence implements PresenceRegistry {
  readonly #options: RedisPresenceOptions;
  readonly #scripts: Record<keyof typeof PRESENCE_SCRIPTS, Script>;
  /** This instance's connections, kept to announce them again if the cluster reaped it while it was stalled. */
  readonly #mine = new PresenceCounts();
  readonly #names = new Map<string, string>();
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(options: RedisPresenceOptions) {
    this.#options = options;
    this.#scripts = defineScripts(options.redis, PRESENCE_SCRIPTS);
  }

  get #ttlMs(): number {
    return this.#options.ttlMs ?? 10_000;
  }

  /** Declares this instance alive and starts renewing and sweeping. */
  async start(): Promise<void> {
    await this.#renew();
    this.#schedule();
  }

  async arrive(room: string, uid: string, name: string): Promise<void> {
    this.#mine.arrive(room, uid);
    this.#names.set(uid, name);
    await this.#arrive(room, uid, name);
  }

  async leave(room: string, uid: string): Promise<void> {
    this.#mine.leave(room, uid);
    const { keys, instance } = this.#options;
    await this.#scripts.leave(...this.#feed(), keys.presence(room), this.#bound(), room, uid, instance);
  }

  async removeUser(room: string, uid: string): Promise<void> {
    this.#mine.removeUser(room, uid);
    await this.#scripts.removeUser(
      ...this.#feed(),
      this.#options.keys.presence(room),
      this.#bound(),
      room,
      uid,
    );
  }

  /** Reaps the instances that stopped renewing; answers them. */
  async sweep(withdraw = ''): Promise<string[]> {
    const { keys } = this.#options;
    return (await this.#scripts.reap(
      ...this.#feed(),
      keys.instances,
      this.#bound(),
      keys.prefix,
      withdraw,
    )) as string[];
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    // A clean stop: this instance's users leave now, not when its key expires.
    await this.sweep(this.#options.instance).catch(() => undefined);
  }

  #feed = () => [this.#options.keys.feed, this.#options.keys.feedCount] as const;
  #bound = () => this.#options.feedLength ?? 100_000;

  #arrive(room: string, uid: string, name: string) {
    const { keys, instance, now = Date.now } = this.#options;
    return this.#scripts.arrive(
      ...this.#feed(),
      keys.presence(room),
      keys.instanceRooms(instance),
      keys.instances,
      this.#bound(),
      room,
      uid,
      name,
      instance,
      now(),
    );
  }

  /** Renews this instance's key; if the cluster reaped it meanwhile (a stall past the lifetime), re-announces it. */
  async #renew(): Promise<void> {
    const { redis, keys, instance } = this.#options;
    const [[, renewed], [, registered]] = (await redis
      .multi()
      .set(keys.alive(instance), '1', 'PX', this.#ttlMs)
      .sismember(keys.instances, instance)
      .sadd(keys.instances, instance)
      .exec()) as [[unknown, unknown], [unknown, number], unknown];
    if (renewed !== 'OK' || registered === 1) return;
    for (const { room, uid, count } of this.#mine.entries())
      for (let i = 0; i < count; i++) await this.#arrive(room, uid, this.#names.get(uid) ?? uid);
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = this.#options.clock.setTimeout(() => {
      void (async () => {
        try {
          await this.#renew();
          const reaped = await this.sweep();
          if (reaped.length > 0) this.#options.onReaped?.(reaped);
        } catch (error) {
          this.#options.onError?.(error);
        }
        this.#schedule();
      })();
    }, this.#ttlMs / 3);
  }
}
