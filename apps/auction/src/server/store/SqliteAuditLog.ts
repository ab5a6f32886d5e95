import Database from 'better-sqlite3';
import type { AuditEntry, AuditLog } from '../../domain/index.js';

/** Options for {@link SqliteAuditLog}. */
export interface SqliteAuditLogOptions {
  /** A file, or `:memory:` for tests. @default ':memory:' */
  path?: string;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    auction_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    entry TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS audit_by_auction ON audit (auction_id, seq);
`;

/**
 * The embedded {@link AuditLog}: SQLite through better-sqlite3, WAL, `synchronous = FULL`, append-only. Appends made
 * in the same turn of the event loop are committed together (group commit: one transaction, one fsync) and each
 * resolves only after that commit, so a line is durable before the bid's ack and a busy auction does not pay an
 * fsync per bid.
 */
export class SqliteAuditLog implements AuditLog {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  #pending: Array<{ entry: AuditEntry; done: () => void; failed: (error: unknown) => void }> = [];

  constructor(options: SqliteAuditLogOptions = {}) {
    this.#db = new Database(options.path ?? ':memory:');
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.exec(SCHEMA);
    this.#insert = this.#db.prepare('INSERT INTO audit (auction_id, kind, entry) VALUES (?, ?, ?)');
  }

  append(entry: AuditEntry): Promise<void> {
    return new Promise((done, failed) => {
      if (this.#pending.push({ entry, done, failed }) === 1) setImmediate(() => this.#flush());
    });
  }

  async entries(): Promise<AuditEntry[]> {
    const rows = this.#db.prepare('SELECT entry FROM audit ORDER BY seq').all() as Array<{ entry: string }>;
    return rows.map((row) => JSON.parse(row.entry) as AuditEntry);
  }

  async close(): Promise<void> {
    this.#flush();
    if (this.#db.open) this.#db.close();
  }

  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    try {
      this.#db.transaction(() => {
        for (const { entry } of batch) {
          const auctionId = entry.kind === 'close' ? entry.auctionId : entry.outcome.auctionId;
          this.#insert.run(auctionId, entry.kind, JSON.stringify(entry));
        }
      })();
    } catch (error) {
      for (const waiter of batch) waiter.failed(error);
      return;
    }
    for (const waiter of batch) waiter.done();
  }
}
