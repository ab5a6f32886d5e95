import type { Clock } from '@twohop/sequence';
import type { Reply, ReplyError, SendAck } from '../domain/wire.js';

/** A message of yours the server has not acknowledged: `pending` while in flight, `failed` after the ack timeout. */
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
 * retry of a stored send into a duplicate (`duplicate: true`, the original seq) instead of a second message. A send
 * cut off by a disconnect stays pending and goes again on reconnect; one that timed out while connected shows as
 * failed until retried; `rate_limited` waits as told and goes again, still pending.
 */
export class Outbox {
  /** Your messages not yet acknowledged, oldest first. */
  readonly entries: Outgoing[] = [];
  /** Sends after the first (retries), and acks of a retry the store had already stored (`duplicate: true`). */
  readonly stats = { resent: 0, duplicateAcks: 0 };
  readonly #options: OutboxOptions;

  constructor(options: OutboxOptions) {
    this.#options = options;
  }

  /** Writes a message: pending at once, sent now if live (else when the connection is back). */
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
    if (this.#options.isLive()) void this.#transmit(outgoing);
    return outgoing;
  }

  /** Sends a failed message again, with its original client id. */
  retry(clientId: string): void {
    const outgoing = this.entries.find((entry) => entry.clientId === clientId);
    if (outgoing === undefined) return;
    outgoing.status = 'pending';
    delete outgoing.error;
    this.#options.onChange();
    if (this.#options.isLive()) void this.#transmit(outgoing);
  }

  /** The connection is (back) up: every pending message goes (again). */
  flush(): void {
    for (const outgoing of this.entries) if (outgoing.status === 'pending') void this.#transmit(outgoing);
  }

  /** A message of yours is known stored (its ack, or its broadcast arrived first): it is no longer outgoing. */
  settle(clientId: string): void {
    const index = this.entries.findIndex((entry) => entry.clientId === clientId);
    if (index < 0) return;
    this.entries.splice(index, 1);
    this.#options.onChange();
  }

  async #transmit(outgoing: Outgoing): Promise<void> {
    outgoing.attempts++;
    if (outgoing.attempts > 1) this.stats.resent++;
    const { room, clientId, text } = outgoing;
    const reply = await this.#options.request('message:send', { room, clientId, text });
    if (reply.ok) {
      if (reply.duplicate) this.stats.duplicateAcks++;
      return this.settle(clientId);
    }
    if (!this.entries.includes(outgoing)) return;
    const { code } = reply.error;
    if (
      code === 'offline' ||
      ((code === 'timeout' || code === 'server_shutdown') && !this.#options.isLive())
    ) {
      // Cut off by a disconnect: it may or may not be stored. It goes again, same id, when the connection is back.
      return;
    }
    if (code === 'rate_limited') {
      // Over the rate: wait as told and go again, still pending.
      this.#options.clock.setTimeout(() => {
        if (this.#options.isLive() && outgoing.status === 'pending' && this.entries.includes(outgoing))
          void this.#transmit(outgoing);
      }, reply.error.retryAfterMs ?? 1000);
      return;
    }
    outgoing.status = 'failed';
    outgoing.error = code === 'timeout' ? 'no acknowledgement' : reply.error.message;
    if (code !== 'timeout') this.#options.onError(reply.error);
    this.#options.onChange();
  }
}
