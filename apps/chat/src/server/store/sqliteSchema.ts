import type { ChatMessage } from '../../domain/wire.js';

/**
 * The chat's SQLite schema. `messages (room, seq)` is the gapless timeline, numbered from `rooms.last_seq` in the
 * send's transaction; `UNIQUE (room, user_id, client_id)` is what makes a retried send a duplicate rather than a
 * second row; `rooms.last_change` numbers edits and deletes (the change feed a returning client catches up from).
 */
export const SCHEMA = `
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
`;

/** A `messages` row as better-sqlite3 returns it. */
export interface MessageRow {
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

/** A row as the wire shape. */
export const toMessage = (row: MessageRow): ChatMessage => ({
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
