import type { ClusterAdapter } from './ClusterAdapter.js';
import { auctionCluster } from './apps/auction.js';
import { chatCluster } from './apps/chat.js';
import { iotCluster } from './apps/iot.js';
import { orderbookCluster } from './apps/orderbook.js';

/**
 * Every app the cluster property and the `cluster:*` scenarios cover: an app joins the day its redis mode works,
 * with its `twohop.cluster` plan in package.json and its adapter here. The suite fails for an app with a plan and no
 * adapter, so none is left out silently.
 */
export const clusterAdapters: readonly ClusterAdapter[] = [
  orderbookCluster,
  chatCluster,
  auctionCluster,
  iotCluster,
];

/**
 * Apps that have a cluster plan but no adapter here yet, by name: the coverage check and every cluster scenario name
 * them as not covered (never skipped silently); an entry goes when the app's adapter joins `clusterAdapters`.
 */
export const awaitingAdapter: readonly string[] = [];
