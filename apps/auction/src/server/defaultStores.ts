import type { AuditLog, BidStore } from '@twohop/auction/domain';
import { auditedBidStore, InProcessBidStore, SqliteAuditLog } from '@twohop/auction/store';

/** The embedded store: auctions in this process, every attempt in `audit` before its ack. */
export function embeddedStore(audit: AuditLog, now: () => number, store?: BidStore): BidStore {
  return auditedBidStore(store ?? new InProcessBidStore({ now }), audit);
}

/** The embedded audit log: SQLite at `path` (`:memory:` for tests). */
export const sqliteAudit = (path = ':memory:'): AuditLog => new SqliteAuditLog({ path });
