import type { KeyedChange } from '@twohop/snapshot-delta';
import type { ChatMessage, PresenceEntry, Receipt } from '../../domain/wire.js';

/**
 * What happens in the chat that every node must hear, so that each delivers it to its own connections: a stored
 * message or change (written by the store), a change of who is online in a room (by the presence registry), and the
 * signals a node publishes for others (typing, receipts, a user leaving a room, a room's creation).
 */
export type FeedEvent =
  | { readonly type: 'message'; readonly message: ChatMessage }
  | { readonly type: 'changed'; readonly message: ChatMessage }
  | { readonly type: 'presence'; readonly room: string; readonly change: KeyedChange<PresenceEntry> }
  | {
      readonly type: 'typing';
      readonly room: string;
      readonly userId: string;
      readonly name: string;
      readonly until: number;
      /** The typist's own connection, which does not hear itself. */
      readonly except: string;
    }
  | { readonly type: 'receipts'; readonly room: string; readonly receipts: readonly Receipt[] }
  | { readonly type: 'left'; readonly room: string; readonly userId: string }
  | { readonly type: 'created'; readonly room: string; readonly userId: string };

/** Handles one event of the feed; the next waits for it (events are handled one at a time, in feed order). */
export type FeedHandler = (event: FeedEvent) => Promise<void> | void;

/**
 * Hop 2 for the chat: one ordered feed of {@link FeedEvent}s that every node reads whole and in the same order. The
 * embedded feed is a queue in the process ({@link localFeed}); on Redis it is one Redis Stream that the store's
 * scripts append to in the same step as the write they announce (`RedisFeed`), so a room's messages are in the
 * feed in seq order and nothing stored goes unannounced, even when the node that stored it dies at once.
 */
export interface ChatFeed {
  /** Appends a signal (typing, receipts, left, created) for every node, this one included. */
  publish(event: FeedEvent): Promise<void>;
  /** Starts handing every event published from now on to `handler`, one at a time, in feed order. */
  start(handler: FeedHandler): Promise<void>;
  /**
   * Resolves once this node has handled every event in the feed when it was called: what a request waits for
   * before its reply when the reply must not overtake the events it caused (a send's message, a join's presence).
   */
  caughtUp(): Promise<void>;
  /** Stops reading; pending waits resolve. */
  close(): Promise<void>;
}

/** The embedded {@link ChatFeed}: events are handled in the process, in publication order. */
export function localFeed(): ChatFeed {
  let handler: FeedHandler = () => {};
  // One chain: each event's handling starts when the previous one's ended.
  let chain: Promise<void> = Promise.resolve();
  return {
    async publish(event) {
      chain = chain.then(() => handler(event)).catch((error: unknown) => console.error('chat: feed', error));
    },
    async start(next) {
      handler = next;
    },
    caughtUp: () => chain,
    async close() {
      await chain;
    },
  };
}
