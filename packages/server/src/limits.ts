import { systemClock, type Clock } from '@twohop/sequence';

/** What one connection may do; every limit is per connection. Documented in docs/protocol.md ("Limits"). */
export interface ConnectionLimits {
  /** The largest inbound message, in UTF-8 bytes of its JSON form. @default 16384 */
  maxPayloadBytes: number;
  /** Subscriptions open at once. @default 64 */
  maxSubscriptions: number;
  /** Sustained inbound messages per second (token bucket refill). @default 20 */
  ratePerSecond: number;
  /** Inbound messages allowed in a burst (token bucket size). @default 40 */
  rateBurst: number;
  /** Bad messages (invalid, oversized, rate-limited, unknown events) tolerated before the connection is closed. @default 20 */
  maxStrikes: number;
  /** A subscriber that makes no write progress for this long, with frames waiting, is a slow consumer. @default 30000 */
  maxStallMs: number;
  /** A subscriber whose queued frames are estimated above this many bytes is a slow consumer. @default 8388608 */
  maxQueuedBytes: number;
  /**
   * The unconflated lane of one subscription, in deltas (each may carry several changes) that must never merge.
   * @default 1000
   */
  priorityCapacity: number;
  /** Heartbeat interval. @default 15000 */
  heartbeatMs: number;
}

export const defaultLimits: ConnectionLimits = {
  maxPayloadBytes: 16 * 1024,
  maxSubscriptions: 64,
  ratePerSecond: 20,
  rateBurst: 40,
  maxStrikes: 20,
  maxStallMs: 30_000,
  maxQueuedBytes: 8 * 1024 * 1024,
  priorityCapacity: 1000,
  heartbeatMs: 15_000,
};

/**
 * A token bucket: `burst` tokens, refilled at `perSecond`; each message takes one. Allows bursts, caps the
 * sustained rate, and costs two numbers per connection.
 */
export class TokenBucket {
  #tokens: number;
  #updatedAt: number;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    readonly clock: Clock = systemClock,
  ) {
    this.#tokens = burst;
    this.#updatedAt = clock.now();
  }

  /** Takes one token if there is one. */
  take(): boolean {
    const now = this.clock.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#updatedAt) / 1000) * this.perSecond);
    this.#updatedAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
