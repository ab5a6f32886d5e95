import type { AppAdapter } from './AppAdapter.js';
import { auctionAdapter } from './apps/auction.js';
import { chatAdapter } from './apps/chat.js';
import { iotAdapter } from './apps/iot.js';
import { orderbookAdapter, orderbookWebSocketAdapter } from './apps/orderbook.js';

/** Every app the conformance suite checks. An app joins by adding its adapter here (docs/testing.md). */
export const apps: AppAdapter[] = [
  orderbookAdapter,
  orderbookWebSocketAdapter,
  chatAdapter,
  auctionAdapter,
  iotAdapter,
];
