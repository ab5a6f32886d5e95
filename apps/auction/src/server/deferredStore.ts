import type { BidStore } from '@twohop/auction/domain';

/**
 * A {@link BidStore} usable at once over one that is still opening (a Redis connection, an audit log being
 * replayed): every call waits for it. The server is assembled synchronously; its first calls come after it listens.
 */
export function deferredStore(opening: Promise<BidStore>): BidStore {
  return {
    create: async (terms) => (await opening).create(terms),
    get: async (auctionId) => (await opening).get(auctionId),
    list: async () => (await opening).list(),
    placeBid: async (bid) => (await opening).placeBid(bid),
    closeIfDue: async (auctionId) => (await opening).closeIfDue(auctionId),
    now: async () => (await opening).now(),
    close: async () => (await opening).close(),
  };
}
