import Database from 'better-sqlite3';
import type { ChatStore, RoomHead, RoomsQuery, SendInput } from '../../domain/ChatStore.js';
import { ChatError } from '../../domain/errors.js';
import { requireChangeable, requireMember, requireRoom, requireRoomFor } from '../../domain/membership.js';
import { isValidClientId, isValidRoomName, requireValidText } from '../../domain/text.js';
import type { ChatMessage, Receipt, RoomsPage, SendAck, TimelinePage } from '../../domain/wire.js';
import { SCHEMA, toMessage, type MessageRow } from './sqliteSchema.js';

/** Options for {@link SqliteChatStore}. */
export interface SqliteChatStoreOptions {
  /** A file, or `:memory:` for tests. @default ':memory:' */
  path?: string;
  /** The wall clock that stamps messages (ms since the epoch). @default Date.now */
  now?: () => number;
}

/**
 * The embedded {@link ChatStore}: SQLite through better-sqlite3, WAL, `synchronous = FULL` (a send's commit reaches
 * the disk, fsync included, before its promise resolves, so the server can ack). Each operation is one synchronous
 * transaction behind an async method: atomic, and in the order the calls were made.
 */
export class SqliteChatStore implements ChatStore {
  readonly #db: Database.Database;
  readonly #now: () => number;
  /** Every statement prepared once, on first use: the same SQL text runs as the same statement. */
  readonly #statements = new Map<string, Database.Statement>();

  constructor(options: SqliteChatStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#db = new Database(options.path ?? ':memory:');
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.exec(SCHEMA);
  }

  async createRoom(name: string, createdBy: string, maxRooms: number): Promise<void> {
    if (!isValidRoomName(name))
      throw new ChatError('invalid_message', 'room names are 1–64 letters, digits, _ or -');
    this.#transaction(() => {
      requireRoomFor(this.#roomCount(createdBy), maxRooms);
      const inserted = this.#sql('INSERT OR IGNORE INTO rooms (name, created_by) VALUES (?, ?)').run(
        name,
        createdBy,
      );
      if (inserted.changes === 0) throw new ChatError('room_exists', `room ${name} exists`);
      this.#sql('INSERT INTO members (room, user_id) VALUES (?, ?)').run(name, createdBy);
    });
  }

  async ensureRoom(name: string): Promise<void> {
    if (!isValidRoomName(name))
      throw new ChatError('invalid_message', 'room names are 1–64 letters, digits, _ or -');
    this.#sql("INSERT OR IGNORE INTO rooms (name, created_by) VALUES (?, '')").run(name);
  }

  async head(room: string): Promise<RoomHead | undefined> {
    return this.#head(room);
  }

  async listRooms({ userId, limit, after = '', mine = false }: RoomsQuery): Promise<RoomsPage> {
    const rows = this.#sql(
      `SELECT r.name, r.last_seq, COALESCE(c.last_read, 0) AS last_read, m.user_id IS NOT NULL AS member
         FROM rooms r
         LEFT JOIN receipts c ON c.room = r.name AND c.user_id = ?
         LEFT JOIN members m ON m.room = r.name AND m.user_id = ?
        WHERE r.name > ? AND (? = 0 OR m.user_id IS NOT NULL)
        ORDER BY r.name LIMIT ?`,
    ).all(userId, userId, after, mine ? 1 : 0, limit + 1) as Array<{
      name: string;
      last_seq: number;
      last_read: number;
      member: number;
    }>;
    const rooms = rows.slice(0, limit).map((row) => ({
      name: row.name,
      lastSeq: row.last_seq,
      member: row.member === 1,
      lastRead: row.last_read,
      unread: row.member === 1 ? row.last_seq - row.last_read : 0,
    }));
    return rows.length > limit ? { rooms, next: rooms.at(-1)!.name } : { rooms };
  }

  async join(room: string, userId: string, maxRooms: number): Promise<void> {
    this.#transaction(() => {
      requireRoom(this.#head(room) !== undefined, room);
      if (this.#isMember(room, userId)) return;
      requireRoomFor(this.#roomCount(userId), maxRooms);
      this.#sql('INSERT INTO members (room, user_id) VALUES (?, ?)').run(room, userId);
    });
  }

  async leave(room: string, userId: string): Promise<void> {
    this.#sql('DELETE FROM members WHERE room = ? AND user_id = ?').run(room, userId);
  }

  async isMember(room: string, userId: string): Promise<boolean> {
    return this.#isMember(room, userId);
  }

  async members(room: string): Promise<string[]> {
    const rows = this.#sql('SELECT user_id FROM members WHERE room = ?').all(room) as Array<{
      user_id: string;
    }>;
    return rows.map((row) => row.user_id);
  }

  async send(input: SendInput): Promise<SendAck> {
    const { room, userId, clientId, text } = input;
    requireValidText(text);
    if (!isValidClientId(clientId))
      throw new ChatError('invalid_message', 'a client message id is 1–64 characters');
    return this.#transaction(() => {
      // A retry of a stored send (its ack was lost): the original ack, nothing stored, nothing to broadcast.
      const existing = this.#sql(
        'SELECT seq, ts FROM messages WHERE room = ? AND user_id = ? AND client_id = ?',
      ).get(room, userId, clientId) as { seq: number; ts: number } | undefined;
      if (existing !== undefined) return { ...existing, duplicate: true };
      const head = this.#head(room);
      requireRoom(head !== undefined, room);
      requireMember(this.#isMember(room, userId), room);
      const seq = head!.lastSeq + 1;
      const ts = this.#now();
      this.#sql(
        'INSERT INTO messages (room, seq, user_id, name, client_id, text, ts) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(room, seq, userId, input.name, clientId, text, ts);
      this.#sql('UPDATE rooms SET last_seq = ? WHERE name = ?').run(seq, room);
      return { seq, ts, duplicate: false };
    });
  }

  async latest(room: string, limit: number): Promise<ChatMessage[]> {
    return this.#latest(room, limit);
  }

  async before(room: string, seq: number, limit: number): Promise<ChatMessage[]> {
    const rows = this.#sql('SELECT * FROM messages WHERE room = ? AND seq < ? ORDER BY seq DESC LIMIT ?').all(
      room,
      seq,
      limit,
    ) as MessageRow[];
    return rows.reverse().map(toMessage);
  }

  async after(room: string, seq: number, limit: number): Promise<TimelinePage> {
    const rows = this.#sql('SELECT * FROM messages WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?').all(
      room,
      seq,
      limit + 1,
    ) as MessageRow[];
    // More was missed than a page: the newest page, marked limited; the client pages back to fill the hole.
    if (rows.length > limit) return { messages: this.#latest(room, limit), limited: true };
    return { messages: rows.map(toMessage), limited: false };
  }

  async changedSince(room: string, change: number, limit: number): Promise<ChatMessage[]> {
    const rows = this.#sql(
      'SELECT * FROM messages WHERE room = ? AND change_seq > ? ORDER BY change_seq LIMIT ?',
    ).all(room, change, limit) as MessageRow[];
    return rows.map(toMessage);
  }

  async edit(room: string, seq: number, userId: string, text: string): Promise<ChatMessage> {
    requireValidText(text);
    return this.#transaction(() => {
      const message = this.#changeable(room, seq, userId);
      if (message.deleted) throw new ChatError('unknown_message', `message ${seq} was deleted`);
      return message.text === text ? message : this.#change(room, seq, text, false);
    });
  }

  async delete(room: string, seq: number, userId: string): Promise<ChatMessage> {
    return this.#transaction(() => {
      const message = this.#changeable(room, seq, userId);
      return message.deleted ? message : this.#change(room, seq, '', true);
    });
  }

  async markRead(room: string, userId: string, seq: number): Promise<number> {
    this.#sql(
      `INSERT INTO receipts (room, user_id, last_read) VALUES (?, ?, ?)
         ON CONFLICT (room, user_id) DO UPDATE SET last_read = MAX(last_read, excluded.last_read)`,
    ).run(room, userId, seq);
    const row = this.#sql('SELECT last_read FROM receipts WHERE room = ? AND user_id = ?').get(
      room,
      userId,
    ) as {
      last_read: number;
    };
    return row.last_read;
  }

  async receiptsFrom(room: string, seq: number): Promise<Receipt[]> {
    return this.#sql(
      'SELECT user_id AS userId, last_read AS seq FROM receipts WHERE room = ? AND last_read >= ?',
    ).all(room, seq) as Receipt[];
  }

  async close(): Promise<void> {
    if (!this.#db.open) return;
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    this.#db.close();
  }

  #head(room: string): RoomHead | undefined {
    const row = this.#sql('SELECT last_seq, last_change FROM rooms WHERE name = ?').get(room) as
      { last_seq: number; last_change: number } | undefined;
    return row === undefined ? undefined : { lastSeq: row.last_seq, lastChange: row.last_change };
  }

  #isMember(room: string, userId: string): boolean {
    return this.#sql('SELECT 1 FROM members WHERE room = ? AND user_id = ?').get(room, userId) !== undefined;
  }

  #roomCount(userId: string): number {
    return (this.#sql('SELECT COUNT(*) AS n FROM members WHERE user_id = ?').get(userId) as { n: number }).n;
  }

  #latest(room: string, limit: number): ChatMessage[] {
    const rows = this.#sql('SELECT * FROM messages WHERE room = ? ORDER BY seq DESC LIMIT ?').all(
      room,
      limit,
    ) as MessageRow[];
    return rows.reverse().map(toMessage);
  }

  /** The message, if `userId` may change it (a member, and its sender). */
  #changeable(room: string, seq: number, userId: string): ChatMessage {
    const row = this.#sql('SELECT * FROM messages WHERE room = ? AND seq = ?').get(room, seq) as
      MessageRow | undefined;
    if (row === undefined) throw new ChatError('unknown_message', `no message ${seq} in ${room}`);
    const message = toMessage(row);
    requireChangeable(message, userId, this.#isMember(room, userId));
    return message;
  }

  /** One edit or delete: the next number in the room's change feed, a version bump, the new text. */
  #change(room: string, seq: number, text: string, deleted: boolean): ChatMessage {
    this.#sql('UPDATE rooms SET last_change = last_change + 1 WHERE name = ?').run(room);
    this.#sql(
      `UPDATE messages SET text = ?, deleted = ?, version = version + 1,
           change_seq = (SELECT last_change FROM rooms WHERE name = ?)
         WHERE room = ? AND seq = ?`,
    ).run(text, deleted ? 1 : 0, room, room, seq);
    return toMessage(
      this.#sql('SELECT * FROM messages WHERE room = ? AND seq = ?').get(room, seq) as MessageRow,
    );
  }

  #transaction<T>(work: () => T): T {
    return this.#db.transaction(work)();
  }

  #sql(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (statement === undefined) this.#statements.set(text, (statement = this.#db.prepare(text)));
    return statement;
  }
}
