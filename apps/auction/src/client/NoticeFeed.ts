import mitt from 'mitt';
import type { Notice, NoticesPage, Reply } from './wire.js';

/** Counters a test reads: notices delivered twice, holes found by seq, catch-ups after a (re)connect. */
export interface NoticeStats {
  duplicates: number;
  gaps: number;
  rejoins: number;
}

/** Sends one request, never rejecting (a failure is a reply with `ok: false`). */
export type Requester = <T>(event: string, payload: unknown) => Promise<Reply<T>>;

/**
 * One user's notices, in order, each once, in every tab: live ones arrive as `notice` events numbered per user; a
 * notice past the next expected seq means some were missed (a lost frame), and after every (re)connect the feed asks
 * for what came after the last one it holds (`notices {after, epoch}`), page by page. A new epoch (the server lost
 * its numbering) starts over from 0.
 */
export class NoticeFeed {
  readonly events = mitt<{ notice: Notice }>();
  readonly stats: NoticeStats = { duplicates: 0, gaps: 0, rejoins: 0 };
  /** Every notice delivered, oldest first (the newest `keep`). */
  readonly held: Notice[] = [];
  #epoch: string | undefined;
  #last = 0;
  #fetching: Promise<void> | undefined;
  /** Live notices that arrived while a fetch was under way: looked at again once it ends. */
  #pending: Notice[] = [];

  constructor(
    readonly request: Requester,
    readonly keep = 200,
  ) {}

  /** The newest seq delivered. */
  get last(): number {
    return this.#last;
  }

  /** A live notice from the server. */
  receive(notice: Notice): void {
    // During a fetch the page may or may not hold this one: decide once it is in.
    if (this.#fetching !== undefined) return void this.#pending.push(notice);
    if (notice.epoch === this.#epoch && notice.seq <= this.#last) {
      this.stats.duplicates++;
      return;
    }
    if (notice.epoch === this.#epoch && notice.seq === this.#last + 1) return this.#deliver(notice);
    // A hole (or another epoch): fetch from what we hold; the fetch brings this one too.
    this.stats.gaps++;
    void this.catchUp();
  }

  /** After a (re)connect: everything after the last notice held. */
  rejoin(): Promise<void> {
    this.stats.rejoins++;
    return this.catchUp();
  }

  /** Fetches every notice after the last one held, page by page (one fetch at a time). */
  catchUp(): Promise<void> {
    this.#fetching ??= this.#fetch().finally(() => {
      this.#fetching = undefined;
      // What came live during the fetch: the page delivered most of it already (not duplicates: the fetch
      // overlapped them on purpose); anything past it is a new hole or the next in line.
      const pending = this.#pending.filter(
        (notice) => notice.epoch !== this.#epoch || notice.seq > this.#last,
      );
      this.#pending = [];
      for (const notice of pending) this.receive(notice);
    });
    return this.#fetching;
  }

  async #fetch(): Promise<void> {
    for (let pages = 0; pages < 100; pages++) {
      const reply = await this.request<NoticesPage>('notices', {
        after: this.#last,
        ...(this.#epoch === undefined ? {} : { epoch: this.#epoch }),
      });
      if (!reply.ok) return;
      if (reply.epoch !== this.#epoch) {
        this.#epoch = reply.epoch;
        this.#last = 0;
      }
      for (const notice of reply.notices) {
        if (notice.seq > this.#last) this.#deliver(notice);
      }
      if (reply.notices.length === 0 || this.#last >= reply.head) return;
    }
  }

  #deliver(notice: Notice): void {
    this.#epoch = notice.epoch;
    this.#last = notice.seq;
    this.held.push(notice);
    if (this.held.length > this.keep) this.held.shift();
    this.events.emit('notice', notice);
  }
}
