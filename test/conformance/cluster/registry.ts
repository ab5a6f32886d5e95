import type { ClusterAdapter } from './ClusterAdapter.js';
import { auctionCluster } from './apps/auction.js';
import { orderbookCluster } from './apps/orderbook.js';

/**
 * Every app the cluster property and the `cluster:*` scenarios cover: an app joins the day its redis mode works,
 * with its `twohop.cluster` plan in package.json and its adapter here. The suite fails for an app with a plan and no
 * adapter, so none is left out silently.
 */
export const clusterAdapters: readonly ClusterAdapter[] = [orderbookCluster, auctionCluster];

/**
 * Apps that have a cluster plan but no adapter here yet, by name: the coverage check and every cluster scenario name
 * them as not covered (never skipped silently); an entry goes when the app's adapter joins `clusterAdapters`.
 */
export const awaitingAdapter: readonly string[] = [
  // The chat's adapter (apps/chat.ts) passes the resume property and fails its canaries, but a redis-server
  // restarted empty loses the chat's history and seed rooms, and the chat has no store epoch to tell its clients:
  // cluster:redis-restart cannot pass until it has one.
  'chat',
];
