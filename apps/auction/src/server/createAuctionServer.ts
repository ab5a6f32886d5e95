import type { AppRuntime } from '@twohop/app-kit';
import { assembleAuction, type AuctionApp } from './assembleAuction.js';
import { LocalAnnouncer } from './LocalAnnouncer.js';
import { LotFeed } from './LotFeed.js';
import type { AuctionServerOptions } from './options.js';
import { UserNotices } from './UserNotices.js';

export type { AuctionServerOptions } from './options.js';
export { userRoom, type AuctionApp } from './assembleAuction.js';

/** The auction on one node: the app, with the streams and notices it publishes itself. */
export interface AuctionServer extends AuctionApp {
  readonly feed: LotFeed;
  readonly notices: UserNotices;
}

/**
 * The live auction on one node (the embedded mode): the store — in-process, or Redis with `store: {kind: 'redis'}`
 * — decides, and this process publishes the lot list, each lot's streams and the users' notices from its own
 * decisions (a {@link LocalAnnouncer}). Several nodes sharing one Redis use `createAuctionNode` instead.
 */
export function createAuctionServer(
  input: AuctionServerOptions & { runtime?: AppRuntime } = {},
): AuctionServer {
  const now = input.now ?? Date.now;
  const app = assembleAuction(input, ({ alias, metrics, deliver, onClosed }) => {
    const feed = new LotFeed(alias, now);
    const notices = new UserNotices(deliver);
    return {
      catalog: feed.catalog,
      lots: feed,
      notices,
      feed,
      announcer: new LocalAnnouncer(feed, notices, metrics, now, onClosed),
      start: (house) => house.restore(),
      close: async () => {},
    };
  });
  return Object.assign(app, { feed: app.side.feed, notices: app.side.notices });
}
