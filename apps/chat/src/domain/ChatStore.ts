import type { ChatMessage, Receipt, RoomsPage, SendAck, TimelinePage } from './wire.js';

/** A message to store: which room, who sends it (and their display name), their id for it, and its text. */
export interface SendInput {
  readonly room: string;
  readonly userId: string;
  readonly name: string;
  readonly clientId: string;
  readonly text: string;
}

/** Where a room's timeline and its change feed end. */
export interface RoomHead {
  readonly lastSeq: number;
  readonly lastChange: number;
}

/** Which page of the room list: rooms after `after` by name, at most `limit`, only the user's own when `mine`. */
export interface RoomsQuery {
  readonly userId: string;
  readonly limit: number;
  readonly after?: string;
  readonly mine?: boolean;
}

/**
 * Where the chat keeps rooms, messages, memberships and receipts. Every method is async, so a shared store for
 * several nodes (a database over the network) can stand behind it; `SqliteChatStore` is the embedded one. Every
 * method is atomic: a refusal (a `ChatError`) leaves the store unchanged.
 *
 * The rules every implementation keeps (and the shared store suite checks): a room's messages are numbered 1, 2, 3 …
 * without gaps; a send is durable before it resolves; a send with a `(room, userId, clientId)` already stored
 * resolves to the original ack with `duplicate: true` and stores nothing; text is stored and returned verbatim;
 * edits and deletes take the next number in the room's change feed; receipts never go backwards.
 */
export interface ChatStore {
  /** Creates a room with `createdBy` as its first member. `room_exists`; `room_limit` past `maxRooms` memberships. */
  createRoom(name: string, createdBy: string, maxRooms: number): Promise<void>;
  /** Makes sure a room exists, with no members (the rooms a fresh server starts with). */
  ensureRoom(name: string): Promise<void>;
  /** The room's head, or undefined when there is no such room. */
  head(room: string): Promise<RoomHead | undefined>;
  /** One page of the room list as `userId` sees it (membership, receipts, unread counts), ordered by name. */
  listRooms(query: RoomsQuery): Promise<RoomsPage>;
  /** Makes `userId` a member (idempotent). `unknown_room`; `room_limit` past `maxRooms` memberships. */
  join(room: string, userId: string, maxRooms: number): Promise<void>;
  /** Ends `userId`'s membership (idempotent); their read receipt stays for a return. */
  leave(room: string, userId: string): Promise<void>;
  /** Whether `userId` is a member of `room`. */
  isMember(room: string, userId: string): Promise<boolean>;
  /** The room's members' public user ids. */
  members(room: string): Promise<string[]>;
  /** Stores a message (its sender must be a member) and resolves with its ack once durable; a retry is a duplicate. */
  send(input: SendInput): Promise<SendAck>;
  /** The newest `limit` messages, oldest first. */
  latest(room: string, limit: number): Promise<ChatMessage[]>;
  /** Up to `limit` messages before `seq`, oldest first: scrolling back. */
  before(room: string, seq: number, limit: number): Promise<ChatMessage[]>;
  /** Everything after `seq` when it fits in `limit`; otherwise the newest page, marked `limited`. */
  after(room: string, seq: number, limit: number): Promise<TimelinePage>;
  /** Edits and deletes after `change` in the room's change feed, oldest first, at most `limit`. */
  changedSince(room: string, change: number, limit: number): Promise<ChatMessage[]>;
  /** Sets a message's text: its sender only, while a member. Idempotent. */
  edit(room: string, seq: number, userId: string, text: string): Promise<ChatMessage>;
  /** Deletes a message (text removed, place kept): its sender only, while a member. Idempotent. */
  delete(room: string, seq: number, userId: string): Promise<ChatMessage>;
  /** Records that `userId` has read up to `seq` (never backwards); resolves with their receipt. */
  markRead(room: string, userId: string, seq: number): Promise<number>;
  /** Everyone's receipt in `room` at or past `seq`: who has read that far. */
  receiptsFrom(room: string, seq: number): Promise<Receipt[]>;
  /** Closes the store (an embedded one folds its log in first). */
  close(): Promise<void>;
}
