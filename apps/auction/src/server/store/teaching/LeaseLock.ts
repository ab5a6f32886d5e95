import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Deletes the lock only if it still holds our token: never release a lease another holder took after ours expired. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Options for {@link LeaseLock}. */
export interface LeaseLockOptions {
  /** How long a lease lasts unless released (Redis `PX`). */
  readonly leaseMs: number;
  /** How long to wait between tries while another holds the lock. @default 2 */
  readonly retryMs?: number;
  /** How many tries before giving up. @default 5000 */
  readonly maxTries?: number;
}

/**
 * A per-auction lease: `SET lock NX PX lease` with a random token, released only by its holder. What it cannot do is
 * stop a holder that pauses past its lease (a GC pause, a swapped-out process) from writing afterwards, when someone
 * else holds the lock — the case Martin Kleppmann's "How to do distributed locking" answers with fencing.
 */
export class LeaseLock {
  readonly #redis: Redis;
  readonly #options: Required<LeaseLockOptions>;
  constructor(redis: Redis, options: LeaseLockOptions) {
    this.#redis = redis;
    this.#options = { retryMs: 2, maxTries: 5_000, ...options };
  }

  /** Waits for the lock on `key`; resolves with the token that releases it. */
  async acquire(key: string): Promise<string> {
    const token = randomUUID();
    for (let tries = 0; tries < this.#options.maxTries; tries++) {
      if ((await this.#redis.set(key, token, 'PX', this.#options.leaseMs, 'NX')) === 'OK') return token;
      await new Promise((resolve) => setTimeout(resolve, this.#options.retryMs));
    }
    throw new Error(`no lease on ${key} after ${this.#options.maxTries} tries`);
  }

  /** Releases the lock if `token` still holds it (a lease that expired is not ours to delete). */
  async release(key: string, token: string): Promise<void> {
    await this.#redis.eval(RELEASE, 1, key, token);
  }
}
