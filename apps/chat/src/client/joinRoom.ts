import type { SnapshotMessage, KeyedSnapshot } from '@twohop/snapshot-delta';
import type { ChatMessage, PresenceEntry, Receipt, Reply } from '../domain/wire.js';
import type { RoomTimeline } from './RoomTimeline.js';

/** How many pages of 100 a catch-up fetches to close a hole before it keeps only the newest part. */
export const MAX_FILL_PAGES = 20;

/** The `room:join` reply. */
export interface JoinReply {
  messages: ChatMessage[];
  limited: boolean;
  changed: ChatMessage[];
  lastSeq: number;
  lastChange: number;
  lastRead: number;
  receipts: Receipt[];
  presence: SnapshotMessage<KeyedSnapshot<PresenceEntry>>;
}

type Request = <T>(event: string, payload: object) => Promise<Reply<T>>;

/**
 * Joins (or re-joins) a room into `timeline`: from its last seq when it holds anything, so the reply is exactly what
 * was missed and the edits since its last change. When more was missed than a page (`limited`), it pages back until
 * the hole closes — up to {@link MAX_FILL_PAGES}, past which the newest part is kept and scroll-back loads the rest
 * (as Matrix clients do with a `limited` timeline). Resolves with the reply and how many messages it brought.
 */
export async function joinRoom(
  request: Request,
  timeline: RoomTimeline,
): Promise<{ reply: Reply<JoinReply>; count: number }> {
  const resuming = timeline.messages.length > 0;
  const reply = await request<JoinReply>('room:join', {
    room: timeline.name,
    ...(resuming ? { after: timeline.lastSeq, changesAfter: timeline.lastChange } : {}),
  });
  if (!reply.ok) return { reply, count: 0 };
  let count = timeline.merge(reply.messages);
  if (resuming && reply.limited) {
    for (let pages = 1; ; pages++) {
      timeline.advance();
      const firstAfterHole = timeline.firstAfterHole;
      if (firstAfterHole === undefined) break;
      if (pages > MAX_FILL_PAGES) {
        timeline.dropThrough(firstAfterHole - 1);
        break;
      }
      const older = await request<{ messages: ChatMessage[] }>('room:history', {
        room: timeline.name,
        before: firstAfterHole,
        limit: 100,
      });
      if (!older.ok || older.messages.length === 0) break;
      count += timeline.merge(older.messages);
    }
  }
  for (const changed of reply.changed) timeline.update(changed);
  timeline.lastChange = Math.max(timeline.lastChange, reply.lastChange);
  timeline.advance();
  timeline.presence.receive(reply.presence);
  return { reply, count };
}
