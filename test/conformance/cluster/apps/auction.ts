import { AuctionSession } from '@twohop/auction/session';
import type { BidEntry, LotView } from '@twohop/auction/wire';
import { requestSession, socketIoTransport } from '@twohop/client';
import { keyedState } from '@twohop/snapshot-delta';
import type { ClusterAdapter, ClusterDriver, ClusterView } from '../ClusterAdapter.js';
import { followStreams, sortedEntries } from '../followStreams.js';

/** The lot the cluster's simulator opens first (`AUCTION_LOTS=1`), open for at least half an hour. */
const LOT = 'lot-1';
/** A bid every this many ms, spread over the bidders: under each user's bid budget (5/s). */
const BID_EVERY_MS = 80;
const BIDDERS = ['Ada', 'Bob', 'Cy', 'Dee'];

/** Bidders bidding on {@link LOT} through nginx, each maximum above the lot's minimum (so nearly every one is accepted). */
async function bidders(cluster: ClusterView): Promise<ClusterDriver> {
  const sessions = await Promise.all(
    BIDDERS.map(async (name) => {
      const signed = await requestSession(cluster.url, name);
      return new AuctionSession({ url: cluster.url, token: signed.token, expiresAt: signed.expiresAt });
    }),
  );
  const lotView = () => sessions[0]!.catalog.replica.state.get(LOT) as LotView | undefined;
  const deadline = Date.now() + 30_000;
  while (lotView() === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  let caused = 0;
  let stopped = false;
  let max = 0;
  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      const view = lotView();
      if (view !== undefined) {
        max = Math.max(max, view.minBidCents) + 1_000;
        const reply = await sessions[i % sessions.length]!.bid(LOT, max);
        if (reply.ok) caused++;
      }
      await new Promise((r) => setTimeout(r, BID_EVERY_MS));
    }
  })();
  return {
    caused: () => caused,
    async stop() {
      stopped = true;
      await loop;
      for (const session of sessions) session.close();
    },
  };
}

/**
 * The live auction on several nodes: every node follows each lot from Redis (the store's scripts write each change
 * to the lot's log), so `auction:<id>` (a state stream, numbered by the lot's version) and `bids:<id>` (reliable,
 * numbered by bid count) carry the same seqs on every node. A simulator singleton opens the lot; the driver's
 * bidders bid on it through nginx. A follower signs in (any node accepts the session) and follows both streams.
 */
export const auctionCluster: ClusterAdapter = {
  app: 'auction',
  env: { AUCTION_LOTS: '1', AUCTION_LOT_MS: '3600000', AUCTION_SEED: '1' },
  drive: (cluster) => bidders(cluster),
  follow: (route, fault) => {
    // Signed in once, at the first connect; the token is presented at every connect (socket.io's auth callback).
    let token: Promise<string> | undefined;
    const auth = (callback: (auth: object) => void) => {
      token ??= requestSession(route.url, 'Watcher').then((signed) => signed.token);
      void token.then((value) => callback({ token: value }));
    };
    return followStreams(
      ({ url, headers }) => socketIoTransport(url, { socket: { extraHeaders: { ...headers }, auth } }),
      route,
      [
        { name: `auction:${LOT}`, kind: 'state', model: keyedState<unknown>(), canonical: sortedEntries },
        { name: `bids:${LOT}`, kind: 'reliable', model: keyedState<BidEntry>(), canonical: sortedEntries },
      ],
      fault,
    );
  },
};
