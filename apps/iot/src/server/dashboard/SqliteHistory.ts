import Database from 'better-sqlite3';
import type { Bucket } from '../../domain/aggregation/Downsampler.js';
import type { HistoryPoint, HistoryQuery } from '../../domain/dashboardWire.js';

/** Options for {@link SqliteHistory}. */
export interface SqliteHistoryOptions {
  /** A file, or `:memory:`. @default ':memory:' */
  path?: string;
  /** How long downsampled readings are kept (ms). @default one hour */
  retentionMs?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS readings (
  device TEXT NOT NULL,
  metric TEXT NOT NULL,
  start INTEGER NOT NULL,
  count INTEGER NOT NULL,
  sum REAL NOT NULL,
  min REAL NOT NULL,
  max REAL NOT NULL,
  PRIMARY KEY (device, metric, start)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS readings_by_start ON readings (start);
`;

/**
 * The readings' history, downsampled: one row per device, metric and interval (count, sum, min, max — so any
 * coarser interval's mean is exact), in SQLite through better-sqlite3. Rows older than the retention are pruned, so
 * the table is bounded by devices × metrics × retention / interval. Queries aggregate rows into the asked interval
 * with avg/min/max, in SQL. A bucket written twice (a late flush of the same interval) merges into the row.
 */
export class SqliteHistory {
  readonly retentionMs: number;
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #query: Database.Statement;
  readonly #prune: Database.Statement;
  readonly #record: (buckets: readonly Bucket[]) => void;

  constructor(options: SqliteHistoryOptions = {}) {
    this.retentionMs = options.retentionMs ?? 3_600_000;
    this.#db = new Database(options.path ?? ':memory:');
    this.#db.pragma('journal_mode = WAL');
    // History is a cache of what the devices said: losing the last second of it in a power cut is acceptable.
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(SCHEMA);
    this.#insert = this.#db.prepare(
      `INSERT INTO readings (device, metric, start, count, sum, min, max) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (device, metric, start) DO UPDATE SET count = count + excluded.count, sum = sum + excluded.sum,
         min = MIN(min, excluded.min), max = MAX(max, excluded.max)`,
    );
    this.#query = this.#db.prepare(
      `SELECT start - start % @interval AS t, SUM(sum) / SUM(count) AS avg, MIN(min) AS min, MAX(max) AS max,
         SUM(count) AS n
       FROM readings WHERE device = @device AND metric = @metric AND start >= @from AND start < @to
       GROUP BY t ORDER BY t`,
    );
    this.#prune = this.#db.prepare('DELETE FROM readings WHERE start < ?');
    this.#record = this.#db.transaction((buckets: readonly Bucket[]) => {
      for (const b of buckets) this.#insert.run(b.series, b.metric, b.start, b.count, b.sum, b.min, b.max);
    });
  }

  /** Stores closed buckets (series = device key), in one transaction. */
  record(buckets: readonly Bucket[]): void {
    if (buckets.length > 0) this.#record(buckets);
  }

  /** One device's metric between `from` and `to`, aggregated per `intervalMs`. */
  query(query: HistoryQuery): HistoryPoint[] {
    return this.#query.all({
      device: query.device,
      metric: query.metric,
      from: query.from,
      to: query.to,
      interval: query.intervalMs,
    }) as HistoryPoint[];
  }

  /** Drops what is older than the retention as of `now`; returns the rows dropped. */
  prune(now: number): number {
    return this.#prune.run(now - this.retentionMs).changes;
  }

  /** Rows held (for metrics and tests). */
  rows(): number {
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM readings').get() as { n: number }).n;
  }

  close(): void {
    this.#db.close();
  }
}
