import { describeIssues, isProtocolError, type CloseNotice, type ErrorCode } from '@twohop/protocol';
import type { Clock, TimerHandle } from '@twohop/sequence';
import type { IdentityBudgets } from './IdentityBudgets.js';
import { TokenBucket, type ConnectionLimits } from './limits.js';
import { describe, payloadBytes, reservedKeyIn } from './requestChecks.js';
import { isRequestError, type BoundRequest, type BoundRequests, type RequestReply } from './RequestRouter.js';

/** What a {@link RequestGate} needs from its connection's transport. */
export interface ReplyTransport {
  /** Bytes written to the connection and not yet flushed to the network (replies and stream frames alike). */
  bufferedBytes(): number;
  /** Calls `listener` whenever the transport has flushed and can take more. */
  onDrain(listener: () => void): void;
  /** Tells the client why, then closes the connection. */
  close(notice: CloseNotice): void;
}

/** Sends one reply to the client (a socket.io acknowledgement, an HTTP response). */
export type ReplyCallback = (reply: RequestReply<object, string>) => void;

/** The request limits a gate applies; {@link defaultLimits} has them all. */
export type RequestLimits = Pick<
  ConnectionLimits,
  | 'maxPayloadBytes'
  | 'ratePerSecond'
  | 'rateBurst'
  | 'maxStrikes'
  | 'strikeForgiveMs'
  | 'maxPendingRequests'
  | 'replyHighWaterBytes'
  | 'maxStallMs'
  | 'maxQueuedBytes'
>;

/** Options for {@link RequestGate}. */
export interface RequestGateOptions {
  /** The requests served, e.g. `[router.bind(context)]`; a name may appear in only one of them. */
  requests: readonly BoundRequests[];
  transport: ReplyTransport;
  limits: RequestLimits;
  clock: Clock;
  /** The identity's budget, shared with its other connections (apps with users). */
  identity?: { budgets: IdentityBudgets; key: string } | undefined;
  /** Counts refusals by code. */
  metrics?: { rejectedRequests: { inc(labels: { code: string }): void } } | undefined;
  /** Hears what a handler threw that was not a {@link RequestError} (the client only sees `internal`). */
  onInternalError?: ((error: unknown, request: string) => void) | undefined;
}

/** What a gate has done, for tests, metrics and scenario reports. */
export interface RequestGateStats {
  readonly handled: number;
  readonly refused: number;
  readonly pending: number;
  /** Whether requests are waiting for the connection's output to drain. */
  readonly stalled: boolean;
  /** The most unflushed output seen just after a reply: what the connection held in the server's memory. */
  readonly peakBufferedBytes: number;
}

interface Pending {
  readonly request: BoundRequest;
  readonly input: unknown;
  readonly reply: ReplyCallback | undefined;
}

const NO_REQUESTS: readonly Pending[] = Object.freeze([]);

/**
 * The one door every request of one connection goes through, whatever the app: size, budget (the connection's and
 * the identity's, weighted by cost), strict schema, then the handler — one at a time, in order. Every refusal is a
 * strike; the refusal past `maxStrikes` closes the connection with `protocol_abuse`, at once.
 *
 * Replies are bounded by the transport's writability, as stream frames are: while the connection's unflushed output
 * is over `replyHighWaterBytes`, requests wait (at most `maxPendingRequests`) instead of being handled; a connection
 * that stays so for `maxStallMs`, keeps sending past the pending bound, or whose output passes `maxQueuedBytes`, is
 * closed with `slow_consumer`. Nothing a client sends can throw out of here.
 */
export class RequestGate {
  readonly #options: RequestGateOptions;
  /** Buckets are made on first use: a full bucket then is the same as one made at connect and refilled since. */
  #bucketOrUndefined: TokenBucket | undefined;
  #strikesOrUndefined: TokenBucket | undefined;
  /** Requests waiting (at most `maxPendingRequests`); replaced, never grown in place, so an idle connection holds none. */
  #pending: readonly Pending[] = NO_REQUESTS;
  #busy = false;
  #listening = false;
  #stallTimer: TimerHandle | undefined;
  #closed = false;
  #handled = 0;
  #refused = 0;
  #peakBufferedBytes = 0;

  constructor(options: RequestGateOptions) {
    this.#options = options;
    if (options.requests.length > 1) {
      const names = new Set<string>();
      for (const name of options.requests.flatMap((requests) => requests.names)) {
        if (names.has(name)) throw new Error(`request ${name} is served twice`);
        names.add(name);
      }
    }
  }

  get #bucket(): TokenBucket {
    const { limits, clock } = this.#options;
    return (this.#bucketOrUndefined ??= new TokenBucket(limits.ratePerSecond, limits.rateBurst, clock));
  }

  get #strikes(): TokenBucket {
    const { limits, clock } = this.#options;
    return (this.#strikesOrUndefined ??= new TokenBucket(
      1000 / limits.strikeForgiveMs,
      limits.maxStrikes,
      clock,
    ));
  }

  /** The request `name` from the first table that serves it (names are unique across tables). */
  #lookup(name: string): BoundRequest | undefined {
    for (const requests of this.#options.requests) {
      const request = requests.get(name);
      if (request !== undefined) return request;
    }
    return undefined;
  }

  /** Takes one request from the client; `reply` is called once with its reply (unless the connection closes first). */
  receive(name: unknown, payload: unknown, reply?: ReplyCallback): void {
    if (this.#closed) return;
    const { limits } = this.#options;
    const request = typeof name === 'string' ? this.#lookup(name) : undefined;
    if (payloadBytes(payload) > limits.maxPayloadBytes) {
      return this.#refuse(
        reply,
        'payload_too_large',
        `requests are limited to ${limits.maxPayloadBytes} bytes`,
      );
    }
    const cost = request?.cost ?? 1;
    const identity = this.#options.identity?.budgets.of(this.#options.identity.key);
    if (this.#bucket.available() < cost || (identity !== undefined && identity.available() < cost)) {
      const waitMs = Math.max(this.#bucket.waitMs(cost), identity?.waitMs(cost) ?? 0);
      return this.#refuse(reply, 'rate_limited', 'too many requests; slow down', waitMs);
    }
    this.#bucket.take(cost);
    identity?.take(cost);
    if (request === undefined)
      return this.#refuse(reply, 'invalid_message', `unknown request ${describe(name)}`);
    const input = payload === undefined ? {} : payload;
    const reserved = reservedKeyIn(input);
    if (reserved !== undefined)
      return this.#refuse(reply, 'invalid_message', `the key ${reserved} is not allowed`);
    const parsed = request.schema.safeParse(input);
    if (!parsed.success) return this.#refuse(reply, 'invalid_message', describeIssues(parsed.error));
    if (this.#pending.length >= limits.maxPendingRequests) {
      if (this.#stallTimer !== undefined)
        return this.#slowConsumer('requests kept coming while replies were not read');
      return this.#refuse(reply, 'rate_limited', 'too many requests waiting; wait for their replies');
    }
    this.#pending = [...this.#pending, { request, input: parsed.data, reply }];
    this.#pump();
  }

  /**
   * Refuses what is not a request at all — a frame that is not JSON, or not shaped as one — with `code`, counted as
   * a strike like every refusal. For bindings that parse their own frames (plain WebSocket).
   */
  refuse(code: 'invalid_message' | 'payload_too_large', message: string, reply?: ReplyCallback): void {
    if (this.#closed) return;
    this.#refuse(reply, code, message);
  }

  /** Stops serving: pending requests are dropped and in-flight replies discarded. Call when the transport closed. */
  close(): void {
    this.#closed = true;
    this.#pending = NO_REQUESTS;
    this.#clearStall();
  }

  /** What the gate has done so far. */
  stats(): RequestGateStats {
    return {
      handled: this.#handled,
      refused: this.#refused,
      pending: this.#pending.length,
      stalled: this.#stallTimer !== undefined,
      peakBufferedBytes: this.#peakBufferedBytes,
    };
  }

  /** Handles waiting requests, one at a time, while the connection's output is under its high-water mark. */
  #pump(): void {
    while (!this.#busy && !this.#closed && this.#pending.length > 0) {
      if (this.#options.transport.bufferedBytes() > this.#options.limits.replyHighWaterBytes) {
        this.#armStall();
        return;
      }
      this.#clearStall();
      const next = this.#pending[0] as Pending;
      this.#pending = this.#pending.length === 1 ? NO_REQUESTS : this.#pending.slice(1);
      let result: object | Promise<object>;
      try {
        result = next.request.run(next.input);
      } catch (error) {
        this.#fail(next, error);
        continue;
      }
      if (!(result instanceof Promise)) {
        this.#answer(next, result);
        continue;
      }
      this.#busy = true;
      result.then(
        (value) => this.#settle(() => this.#answer(next, value)),
        (error: unknown) => this.#settle(() => this.#fail(next, error)),
      );
    }
  }

  #settle(finish: () => void): void {
    this.#busy = false;
    if (this.#closed) return;
    finish();
    this.#pump();
  }

  #answer(pending: Pending, result: object): void {
    if (this.#closed) return;
    this.#handled++;
    // `ok` first on the wire, and always true: a handler cannot forge a refusal that skips the strike count.
    pending.reply?.(Object.assign({ ok: true as const }, result, { ok: true as const }));
    const buffered = this.#options.transport.bufferedBytes();
    this.#peakBufferedBytes = Math.max(this.#peakBufferedBytes, buffered);
    if (buffered > this.#options.limits.maxQueuedBytes) {
      this.#slowConsumer(`${buffered} bytes of replies not read`);
    }
  }

  #fail(pending: Pending, error: unknown): void {
    if (isRequestError(error)) {
      return this.#refuse(pending.reply, error.code, error.message, error.retryAfterMs, error.strike);
    }
    if (isProtocolError(error)) return this.#refuse(pending.reply, error.code, error.message);
    this.#options.onInternalError?.(error, pending.request.name);
    this.#refuse(pending.reply, 'internal', 'the request failed inside the server');
  }

  /**
   * Answers with an error. Every refusal is a strike but `internal` (the server's fault) and a handler's
   * `RequestError.outcome` (the rules' answer to a well-formed request).
   */
  #refuse(
    reply: ReplyCallback | undefined,
    code: string,
    message: string,
    retryAfterMs?: number,
    strike = true,
  ): void {
    this.#refused++;
    this.#options.metrics?.rejectedRequests.inc({ code });
    reply?.({
      ok: false,
      error: retryAfterMs === undefined ? { code, message } : { code, message, retryAfterMs },
    });
    if (strike && code !== 'internal' && !this.#strikes.take()) {
      this.#closeWith('protocol_abuse', 'too many refused requests', false);
    }
  }

  #slowConsumer(reason: string): void {
    this.#closeWith('slow_consumer', `the client read too slowly (${reason}); reconnect and resume`, true);
  }

  #closeWith(code: ErrorCode, message: string, reconnect: boolean): void {
    if (this.#closed) return;
    this.close();
    this.#options.transport.close({ error: { code, message }, reconnect });
  }

  #armStall(): void {
    if (this.#stallTimer !== undefined) return;
    // Replies wait for the output to drain: listen for it from the first time (a connection never held up by its
    // replies keeps no listener).
    if (!this.#listening) {
      this.#listening = true;
      this.#options.transport.onDrain(() => this.#pump());
    }
    this.#stallTimer = this.#options.clock.setTimeout(() => {
      this.#stallTimer = undefined;
      if (this.#pending.length > 0) this.#slowConsumer('replies not read');
    }, this.#options.limits.maxStallMs);
  }

  #clearStall(): void {
    if (this.#stallTimer === undefined) return;
    this.#options.clock.clearTimeout(this.#stallTimer);
    this.#stallTimer = undefined;
  }
}
