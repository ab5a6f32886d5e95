import { createApp, signedSessions, sessionOf, type AppRuntime, type StreamApp } from '@twohop/app-kit';
import type { AuctionState, BidStore } from '@twohop/auction/domain';
import { createBidStore, type AuditedStore } from '@twohop/auction/store';
import { IdentityBudgets, type RequestGateStats, type StreamCatalog } from '@twohop/server';
import { randomBytes } from 'node:crypto';
import type { Notice } from '../client/wire.js';
import { aliasOf } from './aliases.js';
import { AuctionHouse } from './AuctionHouse.js';
import { auctionMetrics, type AuctionMetrics } from './auctionMetrics.js';
import { auctionRequests } from './auctionRequests.js';
import { BidderSimulation } from './BidderSimulation.js';
import { deferredStore } from './deferredStore.js';
import type { Announcer } from './LocalAnnouncer.js';
import type { Alias, LotViews } from './lotView.js';
import { resolveOptions, type AuctionServerOptions } from './options.js';
import type { NoticePages } from './UserNotices.js';

/** The auction app, assembled but not listening (`runApp` runs it, `startApp` starts it for a test). */
export interface AuctionApp extends StreamApp {
  /** The audited store (usable at once; its calls wait until it has opened). */
  readonly store: BidStore;
  /** The store and its audit log, once open. */
  readonly stores: Promise<AuditedStore>;
  readonly house: AuctionHouse;
  /** The lots this node serves. */
  readonly lots: LotViews;
  readonly auctionMetrics: AuctionMetrics;
  /** The simulated bidders, when on. */
  readonly simulation: BidderSimulation | undefined;
  /** Resolves once the starting lots are open (and the simulation's). */
  readonly ready: Promise<void>;
  /** A user's alias on a lot, as watchers see them. */
  alias: Alias;
  /** Each connection's request counters. */
  inspect(): RequestGateStats[];
  /** The names of the app's own requests (what docs/apps/auction.md lists). */
  readonly requestNames: readonly string[];
}

/** What the streams and notices side gets to work with. */
export interface LotSideDeps {
  readonly alias: Alias;
  readonly metrics: AuctionMetrics;
  /** Sends a notice to every connection of its user on this node. */
  readonly deliver: (userId: string, notice: Notice) => void;
  /** Tells the simulation a lot closed (it opens the next). */
  readonly onClosed: (state: AuctionState) => void;
}

/** Where the lots' streams and the users' notices come from: this process (embedded) or Redis (several nodes). */
export interface LotSide {
  readonly catalog: StreamCatalog;
  readonly lots: LotViews;
  readonly notices: NoticePages;
  /** What the house tells after each decision; none when the store's scripts write it to Redis. */
  readonly announcer?: Announcer;
  /** Starts serving, once the house exists and before the starting lots open. */
  start(house: AuctionHouse): Promise<void>;
  close(): Promise<void>;
}

/**
 * The live auction on app-kit, whichever side serves the lots: sign-in by display name (`POST /api/session`, a signed
 * token checked on every connect and reconnect), the lot list (`auctions`), each lot's state (`auction:<id>`) and
 * accepted bids (`bids:<id>`) as twohop streams, bids and the rest as acknowledged requests through the same gate,
 * per-user notices to every tab of the user's, and closes decided by the store at `endsAt`.
 */
export function assembleAuction<Side extends LotSide>(
  input: AuctionServerOptions & { runtime?: AppRuntime },
  makeSide: (deps: LotSideDeps) => Side,
): AuctionApp & { readonly side: Side } {
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
  let simulation: BidderSimulation | undefined;
  const side = makeSide({
    alias,
    metrics,
    deliver: (userId, notice) => kit.io.to(userRoom(userId)).emit('notice', notice),
    onClosed: (state) => simulation?.closed(state),
  });
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
  const house = new AuctionHouse({
    store,
    metrics,
    clock,
    ...(side.announcer === undefined ? {} : { announcer: side.announcer }),
  });
  const router = auctionRequests({
    house,
    store,
    notices: side.notices,
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
    catalog: side.catalog,
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
  kit.routes.get('/api/lots', (_request, response) => response.json([...side.lots.views.values()]));

  if (options.simulation !== false) {
    simulation = new BidderSimulation(house, store, side.lots, clock, options.simulation);
  }
  const ready = (async () => {
    await stores;
    await side.start(house);
    for (const terms of options.lots) await house.open(terms);
    await simulation?.start();
  })();
  kit.onClose({
    async close() {
      simulation?.stop();
      house.stop();
      await ready.catch(() => undefined);
      await side.close();
      await (await stores).close();
    },
  });
  return Object.assign(kit, {
    store,
    stores,
    house,
    lots: side.lots,
    side,
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
