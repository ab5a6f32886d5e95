import type { AuditLog, AuctionTerms, BidStore } from '../../domain/index.js';
import { auditedBidStore } from './auditedBidStore.js';
import { InProcessBidStore } from './InProcessBidStore.js';
import { RedisBidStore } from './RedisBidStore.js';
import { SqliteAuditLog } from './SqliteAuditLog.js';

/** Which store accepts bids: this process's memory (embedded), or Redis shared by every node. */
export type BidStoreConfig =
  | { readonly kind: 'in-process' }
  | {
      readonly kind: 'redis';
      /** `redis://host:port`. */
      readonly url: string;
      /** @default 'auction:' */
      readonly keyPrefix?: string;
    };

/** Options for {@link createBidStore}. */
export interface CreateBidStoreOptions {
  readonly store: BidStoreConfig;
  /** The audit log's SQLite file. @default ':memory:' (tests) */
  readonly auditPath?: string;
  /** The auctions to make sure exist (created if missing, left alone if present). */
  readonly auctions?: readonly AuctionTerms[];
  /** The in-process store's clock. @default Date.now */
  readonly now?: () => number;
}

/** A bid store with its audit log: every attempt is logged (durably) before `placeBid` resolves. */
export interface AuditedStore {
  /** The store, audited: what the server calls. */
  readonly store: BidStore;
  readonly audit: AuditLog;
  /** Closes the store and the log. */
  close(): Promise<void>;
}

/**
 * Opens the configured store behind its audit log and makes sure of `auctions`. An in-process store is rebuilt from
 * the audit log first, so an embedded server restarts with every auction, bid and retry answer it had.
 */
export async function createBidStore(options: CreateBidStoreOptions): Promise<AuditedStore> {
  const audit = new SqliteAuditLog({ path: options.auditPath ?? ':memory:' });
  let inner: BidStore;
  if (options.store.kind === 'redis') {
    inner = new RedisBidStore({
      redis: options.store.url,
      ...(options.store.keyPrefix === undefined ? {} : { keyPrefix: options.store.keyPrefix }),
    });
    for (const terms of options.auctions ?? []) await inner.create(terms);
  } else {
    const memory = new InProcessBidStore(options.now === undefined ? {} : { now: options.now });
    for (const terms of options.auctions ?? []) await memory.create(terms);
    memory.restore(await audit.entries());
    inner = memory;
  }
  return {
    store: auditedBidStore(inner, audit),
    audit,
    async close() {
      await inner.close();
      await audit.close();
    },
  };
}
