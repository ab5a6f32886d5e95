import { createApp, signedSessions, sessionOf, type AppRuntime, type StreamApp } from '@twohop/app-kit';
import type { BidStore } from '@twohop/auction/domain';
import { createBidStore, type AuditedStore } from '@twohop/auction/store';
import { IdentityBudgets, type RequestGateStats } from '@twohop/server';
import { randomBytes } from 'node:crypto';
import { aliasOf } from './aliases.js';
import { AuctionHouse } from './AuctionHouse.js';
import { auctionMetrics, type AuctionMetrics } from './auctionMetrics.js';
import { auctionRequests } from './auctionRequests.js';
import { BidderSimulation } from './BidderSimulation.js';
import { deferredStore } from './deferredStore.js';
import { LotFeed } from './LotFeed.js';
import { resolveOptions, type AuctionServerOptions } from './options.js';
import { UserNotices } from './UserNotices.js';

export type { AuctionServerOptions } from './options.js';

/** The auction app, assembled but not listening (`runApp` runs it, `startApp` starts it for a test). */
export interface AuctionServer extends StreamApp {
  /** The audited store (usable at once; its calls wait until it has opened). */
  readonly store: BidStore;
  /** The store and its audit log, once open. */
  readonly stores: Promise<AuditedStore>;
  readonly house: AuctionHouse;
  readonly feed: LotFeed;
  readonly notices: UserNotices;
  readonly auctionMetrics: AuctionMetrics;
  /** The simulated bidders, when on. */
  readonly simulation: BidderSimulation | undefined;
  /** Resolves once the starting lots are open (and the simulation's). */
  readonly ready: Promise<void>;
  /** A user's alias on a lot, as watchers see them. */
  alias(auction: string, userId: string): string;
  /** Each connection's request counters. */
  inspect(): RequestGateStats[];
  /** The names of the app's own requests (what docs/apps/auction.md lists). */
  readonly requestNames: readonly string[];
}

/**
 * The live auction on app-kit: sign-in by display name (`POST /api/session`, a signed token checked on every
 * connect and reconnect), the lot list (`auctions`), each lot's state (`auction:<id>`) and accepted bids
 * (`bids:<id>`) as twohop streams, bids and the rest as acknowledged requests through the same gate, per-user
 * notices to every tab of the user's, and closes decided by the store at `endsAt`.
 */
export function createAuctionServer(
  input: AuctionServerOptions & { runtime?: AppRuntime } = {},
): AuctionServer {
  const options = resolveOptions(input, input.secret ?? randomBytes(32).toString('hex'));
  const { clock, now } = options;
  const stores = createBidStore({
    store: input.store ?? { kind: 'in-process' },
    ...(input.database === undefined ? {} : { auditPath: input.database }),
    now,
  });
  const store = deferredStore(stores.then((opened) => opened.store));
  const metrics = auctionMetrics();
  const alias = (auction: string, userId: string) => aliasOf(options.secret, auction, userId);
  const feed = new LotFeed(alias, now);
  const budgets = (ratePerSecond: number, burst: number) =>
    new IdentityBudgets({ ratePerSecond, burst, clock });
  const sessions = signedSessions({
    secret: options.secret,
    ttlMs: options.sessionTtlMs,
    perMinute: options.sessionsPerMinute,
    burst: options.sessionBurst,
    clock,
    now,
  });
  const notices = new UserNotices((userId, notice) => kit.io.to(userRoom(userId)).emit('notice', notice));
  let simulation: BidderSimulation | undefined;
  const house = new AuctionHouse({
    store,
    feed,
    notices,
    metrics,
    clock,
    now,
    onClosed: (state) => simulation?.closed(state),
  });
  const router = auctionRequests({
    house,
    store,
    notices,
    sessions,
    alias,
    bidBudgets: budgets(options.bidRate, options.bidBurst),
  });
  const kit = createApp({
    name: 'auction',
    ...(input.runtime === undefined ? {} : { runtime: input.runtime }),
    metrics: metrics.stream,
    ...(options.webRoot === undefined ? {} : { webRoot: options.webRoot }),
    uiHint: 'pnpm --filter @twohop/auction build',
    // Every body the auction takes is a display name; every request a few fields.
    jsonLimit: '4kb',
    socketIo: { maxHttpBufferSize: 16 * 1024 },
    catalog: feed.catalog,
    streams: {
      limits: options.limits,
      clock,
      allowFaultInjection: options.allowFaultInjection,
      requests: router,
      identity: (socket) => sessionOf(socket).uid,
      budgets: budgets(options.userRate, options.userBurst),
    },
  });
  sessions.routes(kit.routes);
  sessions.guard(kit.io);
  // Every connection of a user hears what is addressed to that user: the notices.
  kit.io.on('connection', (socket) => void socket.join(userRoom(sessionOf(socket).uid)));
  kit.routes.get('/api/lots', (_request, response) => response.json([...feed.views.values()]));

  if (options.simulation !== false) {
    simulation = new BidderSimulation(house, store, feed, clock, options.simulation);
  }
  const ready = (async () => {
    await house.restore();
    for (const terms of options.lots) await house.open(terms);
    await simulation?.start();
  })();
  kit.onClose({
    async close() {
      simulation?.stop();
      house.stop();
      await ready.catch(() => undefined);
      await (await stores).close();
    },
  });
  return Object.assign(kit, {
    store,
    stores,
    house,
    feed,
    notices,
    auctionMetrics: metrics,
    simulation,
    ready,
    alias,
    inspect: () => kit.streams.inspect().map((stats) => stats.requests),
    requestNames: router.names,
  });
}

/** The socket.io room of every connection of one user. */
export const userRoom = (userId: string): string => `user:${userId}`;
