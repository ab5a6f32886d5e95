import type { ChatStore, SendInput } from '../../domain/ChatStore.js';
import { PresenceCounts } from '../../domain/Presence.js';
import type { ChatMessage } from '../../domain/wire.js';
import { localFeed, type ChatFeed } from './ChatFeed.js';

/**
 * Where a node reports who has a room open on its connections. The registry counts a user's connections (on every
 * node, in the shared one) and announces on the feed only the changes others see: a user's first connection in a
 * room arriving, their last one leaving.
 */
export interface PresenceRegistry {
  /** One more connection of `uid` (display name `name`) has `room` open. */
  arrive(room: string, uid: string, name: string): Promise<void>;
  /** One connection fewer of `uid` has `room` open. */
  leave(room: string, uid: string): Promise<void>;
  /** No connection of `uid`, on any node, has `room` open any more (they left the room). */
  removeUser(room: string, uid: string): Promise<void>;
  /** Stops its timers; a shared registry withdraws this node's connections. */
  close(): Promise<void>;
}

/**
 * What a chat node shares with the others: the {@link ChatStore}, the {@link ChatFeed} every node reads, and the
 * {@link PresenceRegistry}. The store announces on the feed what it stores (a message, an edit or a delete), so the
 * nodes hear of it in the store's own order. Embedded: {@link embeddedBackend}; on Redis: `redisBackend`.
 */
export interface ChatBackend {
  readonly store: ChatStore;
  readonly feed: ChatFeed;
  readonly presence: PresenceRegistry;
  /** Closes the three (the store last). */
  close(): Promise<void>;
}

/**
 * One process: `store` (SQLite) announces each message and change on an in-process feed once it has committed it,
 * and presence is counted in memory. Commits are synchronous, so announcements are in commit order.
 */
export function embeddedBackend(store: ChatStore, now: () => number): ChatBackend {
  const feed = localFeed();
  const counts = new PresenceCounts();
  const announced = (message: ChatMessage) => {
    void feed.publish({ type: 'changed', message });
    return message;
  };
  const overrides: Partial<ChatStore> = {
    async send(input: SendInput) {
      const ack = await store.send(input);
      if (!ack.duplicate) {
        const message = { ...input, seq: ack.seq, ts: ack.ts, version: 0, deleted: false, change: 0 };
        void feed.publish({ type: 'message', message });
      }
      return ack;
    },
    edit: async (room: string, seq: number, userId: string, text: string) =>
      announced(await store.edit(room, seq, userId, text)),
    delete: async (room: string, seq: number, userId: string) =>
      announced(await store.delete(room, seq, userId)),
  };
  // The store's own methods, bound to it, for everything not announced.
  const announcing = new Proxy(store, {
    get: (target, key) =>
      (overrides as Record<PropertyKey, unknown>)[key] ??
      (Reflect.get(target, key, target) as (...args: unknown[]) => unknown).bind(target),
  });
  const change = (room: string, uid: string) =>
    feed.publish({ type: 'presence', room, change: { op: 'remove', key: uid } });
  return {
    store: announcing,
    feed,
    presence: {
      async arrive(room, uid, name) {
        if (counts.arrive(room, uid))
          await feed.publish({
            type: 'presence',
            room,
            change: { op: 'set', key: uid, value: { name, since: now() } },
          });
      },
      async leave(room, uid) {
        if (counts.leave(room, uid)) await change(room, uid);
      },
      async removeUser(room, uid) {
        if (counts.removeUser(room, uid)) await change(room, uid);
      },
      async close() {},
    },
    async close() {
      await feed.close();
      await store.close();
    },
  };
}
