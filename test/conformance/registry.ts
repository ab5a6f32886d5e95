import type { AppAdapter } from './AppAdapter.js';
import { orderbookAdapter } from './apps/orderbook.js';

/** Every app the conformance suite checks. An app joins by adding its adapter here (see docs in AppAdapter.ts). */
export const apps: AppAdapter[] = [orderbookAdapter];
