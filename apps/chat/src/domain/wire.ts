/**
 * What the chat server and its clients say to each other: the shapes of messages, rooms and replies, and the limits.
 * Shared by the server, the browser UI and the scenario clients (no runtime dependencies).
 */
import type { ChatErrorCode } from './errors.js';

/** Limits on what a message may be. */
export const MAX_TEXT = 4000;
export const MAX_CLIENT_ID = 64;
/** Room names: 1–64 letters, digits, `_` or `-`. */
export const ROOM_NAME = /^[\w-]{1,64}$/;
/** The most rooms one `rooms:list` page holds. */
export const MAX_ROOMS_PAGE = 100;
/** The most messages one `room:history` page holds. */
export const MAX_HISTORY_PAGE = 100;

/** Typing indicators: at most one broadcast per user per room every 3 s (Slack's rule), each lasting 6 s. */
export const TYPING_EVERY_MS = 3000;
export const TYPING_EXPIRES_MS = 6000;

/** A message as stored and sent to clients. Text is plain text: clients render it as text, never as HTML. */
export interface ChatMessage {
  readonly room: string;
  /** Position in the room: 1, 2, 3 … with no gaps. */
  readonly seq: number;
  readonly userId: string;
  /** The sender's display name when they sent it. */
  readonly name: string;
  /** The sender's own id for this message, which makes a retried send idempotent. */
  readonly clientId: string;
  readonly text: string;
  /** Server time of the send, ms since the epoch. */
  readonly ts: number;
  /** Set when the text was edited or the message deleted; bumps with each such change. */
  readonly version: number;
  readonly deleted: boolean;
  /**
   * Where the message's last edit or delete sits in the room's change feed (0 when never changed). A client that
   * remembers the highest `change` it has seen catches up on edits with `room:join {changesAfter}`.
   */
  readonly change: number;
}

/** The ack of a send: where the message is, and whether this send was a retry of one already stored. */
export interface SendAck {
  readonly seq: number;
  readonly ts: number;
  readonly duplicate: boolean;
}

/** A room as the room list shows it to one user. */
export interface RoomSummary {
  readonly name: string;
  readonly lastSeq: number;
  readonly member: boolean;
  /** The user's read receipt: the last seq they have read. */
  readonly lastRead: number;
  readonly unread: number;
}

/** A page of a room's timeline, oldest first. */
export interface TimelinePage {
  readonly messages: ChatMessage[];
  /**
   * Catch-up only: more was missed than one page holds. The page is the newest messages; the client pages back
   * from its first seq to fill the hole (as Matrix's `limited: true`).
   */
  readonly limited: boolean;
}

/** A page of the room list: `next` is the cursor of the next page (absent on the last). */
export interface RoomsPage {
  readonly rooms: RoomSummary[];
  readonly next?: string;
}

/** The error of a refused request: a stable code, a human message, and when to retry for `rate_limited`. */
export interface ReplyError {
  readonly code: ChatErrorCode;
  readonly message: string;
  readonly retryAfterMs?: number;
}

/** The answer to every request: `ok` with the request's fields, or a stable error code. */
export type Reply<T = Record<string, unknown>> = ({ ok: true } & T) | { ok: false; error: ReplyError };

/** A signed session: the token for the socket.io handshake and when it expires (ms since the epoch). */
export interface SessionGrant {
  readonly token: string;
  readonly userId: string;
  readonly name: string;
  readonly expiresAt: number;
}

/** A presence entry: who is online in a room, as others see them. */
export interface PresenceEntry {
  readonly name: string;
  /** When they came online, ms since the epoch. */
  readonly since: number;
}

/** The `typing` event. */
export interface TypingEvent {
  readonly room: string;
  readonly userId: string;
  readonly name: string;
  /** Server time when the indicator lapses unless renewed. */
  readonly until: number;
}

/** A read receipt: `userId` has read the room up to `seq`. */
export interface Receipt {
  readonly userId: string;
  readonly seq: number;
}

/** The `receipts` event: the receipts that moved in `room` since the last one (at most one event a second). */
export interface ReceiptsEvent {
  readonly room: string;
  readonly receipts: readonly Receipt[];
}

/** The `notice` event of fan-out on read: a message exists; fetch it when the room is opened. */
export interface NoticeEvent {
  readonly room: string;
  readonly seq: number;
}
