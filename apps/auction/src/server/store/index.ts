/**
 * The auction's bid stores: the in-process one and the Redis one (one interface, one shared suite), the SQLite audit
 * log, and `createBidStore`, which opens the configured store behind its audit log for the server.
 */
export { auditedBidStore } from './auditedBidStore.js';
export {
  createBidStore,
  type AuditedStore,
  type BidStoreConfig,
  type CreateBidStoreOptions,
} from './createBidStore.js';
export { InProcessBidStore, type InProcessBidStoreOptions } from './InProcessBidStore.js';
export { RedisBidStore, type RedisBidStoreOptions } from './RedisBidStore.js';
export { SqliteAuditLog, type SqliteAuditLogOptions } from './SqliteAuditLog.js';
