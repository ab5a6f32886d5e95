import type { AuditLog, Bid, BidResult, BidStore, CloseResult } from '../../domain/index.js';

/**
 * `store` with every bid attempt and every recorded close written to `log` before the call resolves: the server acks
 * a bid only once its audit line is durable.
 */
export function auditedBidStore(store: BidStore, log: AuditLog): BidStore {
  return {
    create: (terms) => store.create(terms),
    get: (auctionId) => store.get(auctionId),
    list: () => store.list(),
    now: () => store.now(),
    close: () => store.close(),
    async placeBid(bid: Bid): Promise<BidResult> {
      const result = await store.placeBid(bid);
      await log.append(result.auditEntry);
      return result;
    },
    async closeIfDue(auctionId: string): Promise<CloseResult> {
      const result = await store.closeIfDue(auctionId);
      if (result.auditEntry !== undefined) await log.append(result.auditEntry);
      return result;
    },
  };
}
