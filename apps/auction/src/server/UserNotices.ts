import { randomEpochId } from '@twohop/sequence';
import { NOTICES_PAGE, type Notice, type NoticesPage } from '../client/wire.js';

/** Where a client's catch-up is answered from: this process's memory, or Redis on several nodes. */
export interface NoticePages {
  /**
   * The user's notices after `after`, oldest first, at most a page. A position from another epoch (the numbering was
   * lost) starts from the oldest held; a position past the head gets nothing.
   */
  after(userId: string, after: number, epoch: string | undefined): NoticesPage | Promise<NoticesPage>;
}

/** A notice before it is numbered. */
export type NoticeBody = Omit<Notice, 'epoch' | 'seq'>;

/**
 * Every user's notices, numbered per user (1, 2, …) in one epoch per server run, the newest `keep` per user held for
 * catch-up. `deliver` hears each new notice (the server sends it to every connection of the user); `after` answers
 * a client that missed some.
 */
export class UserNotices implements NoticePages {
  readonly epoch = randomEpochId();
  readonly #byUser = new Map<string, { head: number; notices: Notice[] }>();

  constructor(
    readonly deliver: (userId: string, notice: Notice) => void,
    readonly keep = 200,
  ) {}

  /** Numbers `body` for `userId`, keeps it and delivers it. */
  add(userId: string, body: NoticeBody): Notice {
    const held = this.#byUser.get(userId) ?? { head: 0, notices: [] };
    this.#byUser.set(userId, held);
    const notice: Notice = { ...body, epoch: this.epoch, seq: ++held.head };
    held.notices.push(notice);
    if (held.notices.length > this.keep) held.notices.shift();
    this.deliver(userId, notice);
    return notice;
  }

  /** Every notice held for `userId`, oldest first. */
  held(userId: string): readonly Notice[] {
    return this.#byUser.get(userId)?.notices ?? [];
  }

  /**
   * The user's notices after `after`, oldest first, at most a page. A position from another epoch (before a
   * restart) starts from the oldest held; a position past the head gets nothing.
   */
  after(userId: string, after: number, epoch: string | undefined): NoticesPage {
    const held = this.#byUser.get(userId) ?? { head: 0, notices: [] };
    const from = epoch === this.epoch ? after : 0;
    const notices = held.notices.filter((notice) => notice.seq > from).slice(0, NOTICES_PAGE);
    return { epoch: this.epoch, notices, head: held.head };
  }
}
