import Database from 'better-sqlite3';
import {
  MAX_CLIENT_ID,
  MAX_TEXT,
  type ChatMessage,
  type RoomSummary,
  type SendAck,
  type TimelinePage,
} from '../shared/wire.js';

export { MAX_TEXT, type ChatMessage, type RoomSummary, type SendAck, type TimelinePage };

/** Why the store refused an operation; the store is unchanged. */
export type ChatErrorCode =
  | 'invalid_message'
  | 'unknown_room'
  | 'unknown_message'
  | 'not_owner'
  | 'room_exists'
  | 'room_limit'
  | 'not_member';

/** A message to store: which room, who sends it (and their display name), their id for it, and its text. */
export interface SendInput {
  readonly room: string;
  readonly userId: string;
  readonly name?: string;
  readonly clientId: string;
  readonly text: string;
}

export class ChatError extends Error {
  override readonly name = 'ChatError';
  constructor(
    readonly code: ChatErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface Row {
  room: string;
  seq: number;
  user_id: string;
  name: string;
  client_id: string;
  text: string;
  ts: number;
  version: number;
  deleted: number;
  change_seq: number;
}

const toMessage = (row: Row): ChatMessage => ({
  room: row.room,
  seq: row.seq,
  userId: row.user_id,
  name: row.name,
  clientId: row.client_id,
  text: row.text,
  ts: row.ts,
  version: row.version,
  deleted: row.deleted === 1,
  change: row.change_seq,
});

/**
 * The chat's persistent store (SQLite through better-sqlite3, WAL, `synchronous = FULL`): rooms whose messages are
 * numbered 1, 2, 3 … without gaps, an idempotent send that is durable before it returns (so the server can ack),
 * timelines paged in both directions, idempotent edits and deletes, and read receipts. Synchronous and
 * transactional: every operation is atomic.
 */
export class ChatStore {
  readonly #db: Database.Database;
  readonly #now: () => number;
  readonly #sendTransaction: (input: SendInput) => SendAck;
  /** Every statement prepared once, on first use: the same SQL text runs as the same statement. */
  readonly #statements = new Map<string, Database.Statement>();

  /** @param path a file, or `:memory:` for tests. */
  constructor(path = ':memory:', options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    // FULL: a send's commit reaches the disk before the ack goes out, even across a power loss.
    this.#db.pragma('synchronous = FULL');
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS rooms (
        name TEXT PRIMARY KEY,
        created_by TEXT NOT NULL,
        last_seq INTEGER NOT NULL DEFAULT 0,
        last_change INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS messages (
        room TEXT NOT NULL REFERENCES rooms(name),
        seq INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        client_id TEXT NOT NULL,
        text TEXT NOT NULL,
        ts INTEGER NOT NULL,
        version INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        change_seq INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (room, seq),
        UNIQUE (room, user_id, client_id)
      );
      CREATE TABLE IF NOT EXISTS members (
        room TEXT NOT NULL,
        user_id TEXT NOT NULL,
        PRIMARY KEY (room, user_id)
      );
      CREATE INDEX IF NOT EXISTS members_by_user ON members (user_id);
      CREATE TABLE IF NOT EXISTS receipts (
        room TEXT NOT NULL,
        user_id TEXT NOT NULL,
        last_read INTEGER NOT NULL,
        PRIMARY KEY (room, user_id)
      );
    `);
    this.#sendTransaction = this.#db.transaction((input: SendInput): SendAck => {
      const { room, userId, clientId, text } = input;
      const existing = this.#sql(
        'SELECT seq, ts FROM messages WHERE room = ? AND user_id = ? AND client_id = ?',
      ).get(room, userId, clientId) as { seq: number; ts: number } | undefined;
      if (existing !== undefined) return { ...existing, duplicate: true };
      const head = this.#sql('SELECT last_seq FROM rooms WHERE name = ?').get(room) as
        { last_seq: number } | undefined;
      if (head === undefined) throw new ChatError('unknown_room', `no room ${room}`);
      const seq = head.last_seq + 1;
      const ts = this.#now();
      this.#sql(
        'INSERT INTO messages (room, seq, user_id, name, client_id, text, ts) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(room, seq, userId, input.name ?? '', clientId, text, ts);
      this.#sql('UPDATE rooms SET last_seq = ? WHERE name = ?').run(seq, room);
      return { seq, ts, duplicate: false };
    });
  }

  createRoom(name: string, createdBy: string): void {
    if (typeof name !== 'string' || !/^[\w-]{1,64}$/.test(name)) {
      throw new ChatError('invalid_message', 'room names are 1–64 letters, digits, _ or -');
    }
    const inserted = this.#sql('INSERT OR IGNORE INTO rooms (name, created_by) VALUES (?, ?)').run(
      name,
      createdBy,
    );
    if (inserted.changes === 0) throw new ChatError('room_exists', `room ${name} exists`);
    this.addMember(name, createdBy);
  }

  /** Makes sure a room exists, with no members (the rooms a fresh server starts with). */
  ensureRoom(name: string): void {
    if (!this.hasRoom(name)) {
      this.#sql('INSERT OR IGNORE INTO rooms (name, created_by) VALUES (?, ?)').run(name, '');
    }
  }

  /** Whether a room of that name exists. */
  hasRoom(name: string): boolean {
    return this.#sql('SELECT 1 FROM rooms WHERE name = ?').get(name) !== undefined;
  }

  /** The seq of the room's newest message (0 when empty or unknown). */
  lastSeq(room: string): number {
    return this.head(room).lastSeq;
  }

  /** Where the room's timeline and its change feed end. */
  head(room: string): { lastSeq: number; lastChange: number } {
    const row = this.#sql('SELECT last_seq, last_change FROM rooms WHERE name = ?').get(room) as
      { last_seq: number; last_change: number } | undefined;
    return { lastSeq: row?.last_seq ?? 0, lastChange: row?.last_change ?? 0 };
  }

  /**
   * Every room with its last seq and, for the given user, whether they are a member, how far they have read and
   * how many messages they have not (0 in rooms they are not a member of).
   */
  listRooms(userId = ''): RoomSummary[] {
    const rows = this.#sql(
      `SELECT r.name, r.last_seq, COALESCE(c.last_read, 0) AS last_read, m.user_id IS NOT NULL AS member
         FROM rooms r
         LEFT JOIN receipts c ON c.room = r.name AND c.user_id = ?
         LEFT JOIN members m ON m.room = r.name AND m.user_id = ?
         ORDER BY r.name`,
    ).all(userId, userId) as Array<{ name: string; last_seq: number; last_read: number; member: number }>;
    return rows.map((row) => ({
      name: row.name,
      lastSeq: row.last_seq,
      member: row.member === 1,
      lastRead: row.last_read,
      unread: row.member === 1 ? row.last_seq - row.last_read : 0,
    }));
  }

  /**
   * Stores a message and returns its ack — durably committed before it returns. Sending again with the same
   * `clientId` (a retry after a lost ack) returns the original ack and stores nothing.
   */
  send(input: SendInput): SendAck {
    const { clientId, text } = input;
    if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TEXT) {
      throw new ChatError('invalid_message', `a message is 1–${MAX_TEXT} characters of text`);
    }
    if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > MAX_CLIENT_ID) {
      throw new ChatError('invalid_message', `a client message id is 1–${MAX_CLIENT_ID} characters`);
    }
    return this.#sendTransaction(input);
  }

  /** The newest `limit` messages, oldest first. */
  latest(room: string, limit = 50): ChatMessage[] {
    const rows = this.#sql('SELECT * FROM messages WHERE room = ? ORDER BY seq DESC LIMIT ?').all(
      room,
      limit,
    ) as Row[];
    return rows.reverse().map(toMessage);
  }

  /** Up to `limit` messages before `seq`, oldest first: scrolling back. */
  before(room: string, seq: number, limit = 50): ChatMessage[] {
    const rows = this.#sql('SELECT * FROM messages WHERE room = ? AND seq < ? ORDER BY seq DESC LIMIT ?').all(
      room,
      seq,
      limit,
    ) as Row[];
    return rows.reverse().map(toMessage);
  }

  /**
   * Catch-up after a disconnect: everything after `seq` when it fits in a page; otherwise the newest page, marked
   * `limited`, and the client pages back with {@link ChatStore.before} to fill the hole.
   */
  after(room: string, seq: number, limit = 50): TimelinePage {
    const missed = (
      this.#sql('SELECT COUNT(*) AS n FROM messages WHERE room = ? AND seq > ?').get(room, seq) as {
        n: number;
      }
    ).n;
    if (missed > limit) return { messages: this.latest(room, limit), limited: true };
    const rows = this.#sql('SELECT * FROM messages WHERE room = ? AND seq > ? ORDER BY seq').all(
      room,
      seq,
    ) as Row[];
    return { messages: rows.map(toMessage), limited: false };
  }

  /**
   * Edits and deletes after `change` in the room's change feed, oldest first (at most `limit`): how a client that
   * was away learns of changes to messages it already has.
   */
  changedSince(room: string, change: number, limit = 500): ChatMessage[] {
    const rows = this.#sql(
      'SELECT * FROM messages WHERE room = ? AND change_seq > ? ORDER BY change_seq LIMIT ?',
    ).all(room, change, limit) as Row[];
    return rows.map(toMessage);
  }

  /** Sets a message's text (its sender only). Idempotent: the same text again changes nothing. */
  edit(room: string, seq: number, userId: string, text: string): ChatMessage {
    if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TEXT) {
      throw new ChatError('invalid_message', `a message is 1–${MAX_TEXT} characters of text`);
    }
    const message = this.#owned(room, seq, userId);
    if (message.deleted) throw new ChatError('unknown_message', `message ${seq} was deleted`);
    if (message.text === text) return message;
    return this.#change(room, seq, text, false);
  }

  /** Deletes a message (its sender only): its text is removed, its place in the timeline stays. Idempotent. */
  delete(room: string, seq: number, userId: string): ChatMessage {
    const message = this.#owned(room, seq, userId);
    if (message.deleted) return message;
    return this.#change(room, seq, '', true);
  }

  /** Makes `userId` a member of `room` (idempotent). */
  addMember(room: string, userId: string): void {
    this.#sql('INSERT OR IGNORE INTO members (room, user_id) VALUES (?, ?)').run(room, userId);
  }

  /** Ends `userId`'s membership of `room` (idempotent); their read receipt stays for if they come back. */
  removeMember(room: string, userId: string): void {
    this.#sql('DELETE FROM members WHERE room = ? AND user_id = ?').run(room, userId);
  }

  /** Whether `userId` is a member of `room`. */
  isMember(room: string, userId: string): boolean {
    return this.#sql('SELECT 1 FROM members WHERE room = ? AND user_id = ?').get(room, userId) !== undefined;
  }

  /** How many rooms `userId` is a member of. */
  roomCount(userId: string): number {
    return (this.#sql('SELECT COUNT(*) AS n FROM members WHERE user_id = ?').get(userId) as { n: number }).n;
  }

  /** The room's members' public user ids. */
  members(room: string): string[] {
    return (
      this.#sql('SELECT user_id FROM members WHERE room = ?').all(room) as Array<{ user_id: string }>
    ).map((row) => row.user_id);
  }

  /** Everyone's read receipt in `room` at or past `seq`: who has read that far. */
  receiptsFrom(room: string, seq: number): Array<{ userId: string; seq: number }> {
    return this.#sql(
      'SELECT user_id AS userId, last_read AS seq FROM receipts WHERE room = ? AND last_read >= ?',
    ).all(room, seq) as Array<{ userId: string; seq: number }>;
  }

  /** Records that `userId` has read up to `seq` (never backwards). */
  markRead(room: string, userId: string, seq: number): number {
    this.#sql(
      `INSERT INTO receipts (room, user_id, last_read) VALUES (?, ?, ?)
         ON CONFLICT (room, user_id) DO UPDATE SET last_read = MAX(last_read, excluded.last_read)`,
    ).run(room, userId, seq);
    return (
      this.#sql('SELECT last_read FROM receipts WHERE room = ? AND user_id = ?').get(room, userId) as {
        last_read: number;
      }
    ).last_read;
  }

  /** Folds the write-ahead log into the database and closes it. */
  close(): void {
    if (!this.#db.open) return;
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    this.#db.close();
  }

  #get(room: string, seq: number): ChatMessage {
    const row = this.#sql('SELECT * FROM messages WHERE room = ? AND seq = ?').get(room, seq) as
      Row | undefined;
    if (row === undefined) throw new ChatError('unknown_message', `no message ${seq} in ${room}`);
    return toMessage(row);
  }

  /** One edit or delete: the next number in the room's change feed, a version bump, the new text. */
  #change(room: string, seq: number, text: string, deleted: boolean): ChatMessage {
    return this.#db.transaction(() => {
      this.#sql('UPDATE rooms SET last_change = last_change + 1 WHERE name = ?').run(room);
      this.#sql(
        `UPDATE messages SET text = ?, deleted = ?, version = version + 1,
             change_seq = (SELECT last_change FROM rooms WHERE name = ?)
           WHERE room = ? AND seq = ?`,
      ).run(text, deleted ? 1 : 0, room, room, seq);
      return this.#get(room, seq);
    })();
  }

  #sql(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (statement === undefined) this.#statements.set(text, (statement = this.#db.prepare(text)));
    return statement;
  }

  #owned(room: string, seq: number, userId: string): ChatMessage {
    const message = this.#get(room, seq);
    if (message.userId !== userId) throw new ChatError('not_owner', 'only the sender can change a message');
    return message;
  }
}
