import type { Redis } from 'ioredis';
import { NOTICES_PAGE, type Notice, type NoticesPage } from '../../client/wire.js';
import { noticeKey, sharedKeys } from '../store/redisKeys.js';
import type { NoticePages } from '../UserNotices.js';
import { fieldsOf } from './lotLog.js';

/**
 * Every user's notices as the store's scripts keep them in Redis: numbered per user by `HINCRBY`, each in the user's
 * stream under `<seq>-0` (the newest 200 kept), in the feed's epoch. Any node answers a catch-up from them, so a user
 * who reconnects to another node (or after their node died) gets every notice they missed, in order, once.
 */
export class RedisNotices implements NoticePages {
  constructor(
    readonly redis: () => Redis,
    readonly prefix: string,
    /** The feed's epoch (a position from another epoch starts from the oldest held). */
    readonly epoch: () => string,
  ) {}

  async after(userId: string, after: number, epoch: string | undefined): Promise<NoticesPage> {
    const current = this.epoch();
    const from = epoch === current ? after : 0;
    const redis = this.redis();
    const [raw, head] = await Promise.all([
      redis.xrange(noticeKey(this.prefix, userId), `${from + 1}-0`, '+', 'COUNT', NOTICES_PAGE),
      redis.hget(sharedKeys(this.prefix).noticeHeads, userId),
    ]);
    const notices = raw
      .map(([, flat]) => JSON.parse(fieldsOf(flat).get('notice')!) as Notice)
      .filter((notice) => notice.epoch === current);
    return { epoch: current, notices, head: Number(head ?? 0) };
  }
}
