import { systemClock, type Clock } from '@twohop/sequence';

/**
 * What one connection may do; every limit is per connection. Documented in docs/protocol.md ("Limits"). The request
 * limits (payload, rate, strikes, pending requests, reply buffer) are enforced by {@link RequestGate} for every app's
 * requests and the stream protocol's alike.
 */
export interface ConnectionLimits {
  /** The largest inbound message, in UTF-8 bytes of its JSON form. @default 16384 */
  maxPayloadBytes: number;
  /** Subscriptions open at once. @default 64 */
  maxSubscriptions: number;
  /** Sustained request cost per second (token bucket refill); a request costs its weight, 1 by default. @default 20 */
  ratePerSecond: number;
  /** Request cost allowed in a burst (token bucket size). @default 40 */
  rateBurst: number;
  /**
   * Refused requests (invalid, oversized, rate-limited, unknown, refused by the app) tolerated: the next refusal
   * closes the connection with `protocol_abuse`. @default 20
   */
  maxStrikes: number;
  /** One strike is forgiven per this many ms, so an honest long-lived connection never adds up to abuse. @default 60000 */
  strikeForgiveMs: number;
  /** Requests accepted but not yet handled (waiting for the handler before them, or for replies to drain). @default 32 */
  maxPendingRequests: number;
  /**
   * Requests are handled only while the connection's unflushed output (replies and frames) is at most this many
   * bytes; above it the connection is not served until it drains. @default 1048576
   */
  replyHighWaterBytes: number;
  /**
   * A connection that makes no write progress for this long, with frames or requests waiting, is a slow consumer.
   * @default 30000
   */
  maxStallMs: number;
  /**
   * A connection whose queued frames, or whose unflushed replies, are estimated above this many bytes is a slow
   * consumer. @default 8388608
   */
  maxQueuedBytes: number;
  /**
   * The unconflated lane of one subscription, in deltas (each may carry several changes) that must never merge.
   * @default 1000
   */
  priorityCapacity: number;
  /** Heartbeat interval. @default 15000 */
  heartbeatMs: number;
  /**
   * How long a subscribe may wait for a stream that follows an upstream (a mirror of the bus) to reach the position
   * the client resumes from — a position it saw on a node ahead of this one — before it is answered with a snapshot.
   * @default 3000
   */
  resumeWaitMs: number;
}

export const defaultLimits: ConnectionLimits = {
  maxPayloadBytes: 16 * 1024,
  maxSubscriptions: 64,
  ratePerSecond: 20,
  rateBurst: 40,
  maxStrikes: 20,
  strikeForgiveMs: 60_000,
  maxPendingRequests: 32,
  replyHighWaterBytes: 1024 * 1024,
  maxStallMs: 30_000,
  maxQueuedBytes: 8 * 1024 * 1024,
  priorityCapacity: 1000,
  heartbeatMs: 15_000,
  resumeWaitMs: 3_000,
};

/**
 * A token bucket: `burst` tokens, refilled at `perSecond`; each request takes its cost (one by default). Allows
 * bursts, caps the sustained rate, and costs two numbers per connection.
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

  /** Takes `cost` tokens if there are that many; otherwise takes nothing. */
  take(cost = 1): boolean {
    if (this.available() < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** The tokens there are now. */
  available(): number {
    const now = this.clock.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#updatedAt) / 1000) * this.perSecond);
    this.#updatedAt = now;
    return this.#tokens;
  }

  /** Milliseconds until `cost` tokens will be there (0 when they are). */
  waitMs(cost = 1): number {
    const missing = cost - this.available();
    return missing <= 0 ? 0 : Math.ceil((missing / this.perSecond) * 1000);
  }
}
