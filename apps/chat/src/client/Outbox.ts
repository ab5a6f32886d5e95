import type { Clock, TimerHandle } from '@twohop/sequence';
import type { Reply, ReplyError, SendAck } from '../domain/wire.js';

/** A message of yours the server has not acknowledged: `pending` until acked, `failed` after the ack timeout. */
export interface Outgoing {
  readonly clientId: string;
  readonly room: string;
  readonly text: string;
  status: 'pending' | 'failed';
  attempts: number;
  /** Why it failed, when it did. */
  error?: string;
}

/** What an {@link Outbox} needs from its session. */
export interface OutboxOptions {
  /** Sends `message:send`; never rejects. */
  request(event: 'message:send', payload: object): Promise<Reply<SendAck>>;
  /** Whether the connection is live (sends wait for it otherwise). */
  isLive(): boolean;
  /** Makes client message ids. */
  newId(): string;
  clock: Clock;
  /** Something visible changed. */
  onChange(): void;
  /** The server refused a send for good. */
  onError(error: ReplyError): void;
}

/**
 * Your unacknowledged messages, oldest first, and the rule that makes a send exactly-once: each message gets a client
 * id of its own when written and keeps it across every retry, so the store's `(room, user, clientId)` key turns a
 * retry of a stored send into a duplicate (`duplicate: true`, the original seq) instead of a second message.
 *
 * Messages go one at a time, oldest first (they are stored in the order written, and a cut connection leaves at
 * most one send in doubt). One cut off by a disconnect stays pending and goes again on reconnect; one that timed out
 * while connected shows as failed until retried; `rate_limited` holds every send for the time the server gave
 * (each refusal counts against the connection), then they go on.
 */
export class Outbox {
  /** Your messages not yet acknowledged, oldest first. */
  readonly entries: Outgoing[] = [];
  /** Sends after the first (retries), and acks of a retry the store had already stored (`duplicate: true`). */
  readonly stats = { resent: 0, duplicateAcks: 0 };
  readonly #options: OutboxOptions;
  #sending = false;
  /** After a `rate_limited`, nothing is sent until this time. */
  #pausedUntil = Number.NEGATIVE_INFINITY;
  #resumeTimer: TimerHandle | undefined;

  constructor(options: OutboxOptions) {
    this.#options = options;
  }

  /** Writes a message: pending at once, sent when its turn comes on a live connection. */
  add(room: string, text: string): Outgoing {
    const outgoing: Outgoing = {
      clientId: this.#options.newId(),
      room,
      text,
      status: 'pending',
      attempts: 0,
    };
    this.entries.push(outgoing);
    this.#options.onChange();
    this.flush();
    return outgoing;
  }

  /** Sends a failed message again, with its original client id. */
  retry(clientId: string): void {
    const outgoing = this.entries.find((entry) => entry.clientId === clientId);
    if (outgoing === undefined || outgoing.status === 'pending') return;
    outgoing.status = 'pending';
    delete outgoing.error;
    this.#options.onChange();
    this.flush();
  }

  /** Sends what is pending, one at a time (the connection is back, or the rate-limit pause is over). */
  flush(): void {
    if (!this.#sending) void this.#pump();
  }

  /** A message of yours is known stored (its ack, or its broadcast arrived first): it is no longer outgoing. */
  settle(clientId: string): void {
    const index = this.entries.findIndex((entry) => entry.clientId === clientId);
    if (index < 0) return;
    this.entries.splice(index, 1);
    this.#options.onChange();
  }

  /** Drops a scheduled resume (the session closed). */
  cancel(): void {
    if (this.#resumeTimer !== undefined) this.#options.clock.clearTimeout(this.#resumeTimer);
    this.#resumeTimer = undefined;
  }

  async #pump(): Promise<void> {
    this.#sending = true;
    try {
      for (;;) {
        if (!this.#options.isLive() || this.#options.clock.now() < this.#pausedUntil) return;
        const next = this.entries.find((entry) => entry.status === 'pending');
        if (next === undefined || !(await this.#send(next))) return;
      }
    } finally {
      this.#sending = false;
    }
  }

  /** Sends one message; resolves whether the next may go now. */
  async #send(outgoing: Outgoing): Promise<boolean> {
    outgoing.attempts++;
    if (outgoing.attempts > 1) this.stats.resent++;
    const { room, clientId, text } = outgoing;
    const reply = await this.#options.request('message:send', { room, clientId, text });
    if (reply.ok) {
      if (reply.duplicate) this.stats.duplicateAcks++;
      this.settle(clientId);
      return true;
    }
    const { code } = reply.error;
    if (!this.#options.isLive() && (code === 'offline' || code === 'timeout' || code === 'server_shutdown')) {
      // Cut off by a disconnect: it may or may not be stored. It goes again, same id, when the connection is back.
      return false;
    }
    if (code === 'rate_limited') {
      this.#pauseFor(reply.error.retryAfterMs ?? 1000);
      return false;
    }
    if (!this.entries.includes(outgoing)) return true;
    outgoing.status = 'failed';
    outgoing.error = code === 'timeout' ? 'no acknowledgement' : reply.error.message;
    if (code !== 'timeout') this.#options.onError(reply.error);
    this.#options.onChange();
    return true;
  }

  /** Holds every send for `waitMs`, then sends what is pending (once the pause, however extended, is over). */
  #pauseFor(waitMs: number): void {
    const { clock } = this.#options;
    this.#pausedUntil = Math.max(this.#pausedUntil, clock.now() + waitMs);
    if (this.#resumeTimer !== undefined) return;
    const resume = () => {
      const left = this.#pausedUntil - clock.now();
      if (left > 0) return void (this.#resumeTimer = clock.setTimeout(resume, left));
      this.#resumeTimer = undefined;
      this.flush();
    };
    this.#resumeTimer = clock.setTimeout(resume, waitMs);
  }
}
