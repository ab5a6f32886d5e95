import { startApp } from '@twohop/app-kit';
import { AUCTION_ERROR_CODES } from '@twohop/auction/domain';
import { createAuctionServer, type AuctionServer } from '@twohop/auction/server';
import { AuctionSession } from '@twohop/auction/session';
import type { Notice } from '@twohop/auction/wire';
import { requestSession, socketIoTransport, type SignedIn } from '@twohop/client';
import type { DeltaMessage } from '@twohop/protocol';
import { keyedState } from '@twohop/snapshot-delta';
import fc from 'fast-check';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import type {
  AppAdapter,
  AppClient,
  HistoryClient,
  HostileSpec,
  RunningApp,
  StreamCapability,
} from '../AppAdapter.js';
import { connectRaw } from '../rawClients.js';
import { holdConnections } from '../serverEdge.js';
import { followStream, streamCaughtUp } from '../streamFollower.js';
import { streamProtocolRequests } from '../streamRequests.js';
import { HEAVY, HEAVY_TITLE, PAGE, REPLY_HIGH_WATER, stalledReader } from './auctionReader.js';
import { lossyParser } from './lossyParser.js';

/** The lot every property bids on: open for an hour, so nothing closes during a run. */
const LOT = 'conformance';
const STREAM = `auction:${LOT}`;

/** Connection budgets high enough that no property's pace is refused. */
const RATES = { ratePerSecond: 10_000, rateBurst: 10_000 };

const terms = (id: string, title: string) => {
  const now = Date.now();
  return {
    id,
    title,
    startPriceCents: 100,
    startsAt: now - 1000,
    endsAt: now + 3_600_000,
    softClose: { windowMs: 1000, extensionMs: 1000 },
  };
};

const auctionId = fc.oneof(fc.constantFrom(LOT, HEAVY, 'nope'), fc.stringMatching(/^[\w-]{1,64}$/));
const stream = fc.oneof(
  fc.constantFrom(STREAM, `bids:${LOT}`, 'auctions', 'auction:nope'),
  fc.stringMatching(/^[a-z]{1,8}:[\w-]{1,10}$/),
);
function hostileRequests(position: () => { epoch: string; seq: number }): HostileSpec {
  return {
    setup: [{ event: 'subscribe', payload: { stream: STREAM } }],
    codes: AUCTION_ERROR_CODES,
    requests: [
      ...streamProtocolRequests(stream, position()),
      {
        event: 'bid',
        valid: fc.record({
          auction: auctionId,
          bidId: fc.string({ minLength: 1, maxLength: 64 }),
          maxCents: fc.integer({ min: 1, max: 1_000_000 }),
        }),
      },
      { event: 'time', valid: fc.constant({}) },
      { event: 'alias', valid: fc.record({ auction: auctionId }) },
      {
        event: 'notices',
        valid: fc.record(
          { after: fc.integer({ min: 0, max: 500 }), epoch: fc.string({ maxLength: 12 }) },
          { requiredKeys: ['after'] },
        ),
      },
      { event: 'session:refresh', valid: fc.constant({}) },
    ],
  };
}

/** Sessions of the follower in a form the properties read. */
const sessionOf = (client: AppClient) => client.local as AuctionSession;

/**
 * The auction, followed two ways: as a stream app on `auction:conformance` (its own replica, the order book's way)
 * and as a request/ack history — one user's notices, numbered per user and caught up with `notices {after}` by the
 * app's own `AuctionSession`. A change is one bid on the lot, alternately by the follower and a rival, so each
 * changes the lot's stream and brings the follower exactly one notice ("winning" or "outbid").
 */
export const auctionAdapter: AppAdapter = {
  name: 'auction',
  capabilities: ['stream', 'requests'],
  async start({ port = 0, heartbeat, dataDir, unboundedReplies }) {
    const server: AuctionServer = createAuctionServer({
      secret: 'conformance',
      ...(dataDir === undefined ? {} : { database: join(dataDir, 'audit.db') }),
      lots: [terms(LOT, 'Conformance lot'), terms(HEAVY, HEAVY_TITLE)],
      allowFaultInjection: true,
      bidRate: 10_000,
      bidBurst: 10_000,
      userRate: 10_000,
      userBurst: 10_000,
      limits: {
        ...RATES,
        ...(heartbeat === undefined ? {} : { heartbeatMs: heartbeat.beatMs }),
        // The canary: the reply bound lifted, so replies pile up for a reader that does not read.
        ...(unboundedReplies === true
          ? {
              replyHighWaterBytes: Number.POSITIVE_INFINITY,
              maxQueuedBytes: Number.POSITIVE_INFINITY,
              maxPendingRequests: Number.POSITIVE_INFINITY,
            }
          : { replyHighWaterBytes: REPLY_HIGH_WATER }),
      },
    });
    await server.ready;
    const started = await startApp(server, { port });
    const { url, dropConnections } = started;
    const follower: SignedIn = await requestSession(url, 'follower');
    const rival = 'rival';
    const publisher = () => server.feed.lot(LOT)!;

    /** One bid on `lot` by whoever does not lead it, at the minimum: one change, one notice to the follower. */
    const bidOnce = async (lot: string, bidId: string) => {
      const view = server.feed.view(lot)!;
      const followerLeads = view.leader === server.alias(lot, follower.userId);
      const bidderId = followerLeads ? rival : follower.userId;
      const { outcome } = await server.house.bid({
        auctionId: lot,
        bidderId,
        bidId,
        maxCents: view.minBidCents,
      });
      if (!outcome.ok) throw new Error(`bid refused: ${outcome.code}`);
    };
    let bids = 0;
    const cause = async (count: number) => {
      for (let i = 0; i < count; i++) await bidOnce(LOT, `c${Date.now()}-${++bids}`);
    };

    const capability: StreamCapability = {
      stream: STREAM,
      model: keyedState<unknown>(),
      transport: () =>
        socketIoTransport(url, {
          socket: {
            transports: ['websocket'],
            auth: (callback: (auth: object) => void) => callback({ token: follower.token }),
          },
        }),
      truth: () => ({ state: publisher().state, ...publisher().position }),
      same: (client, truth) => {
        const a = client as Map<string, unknown>;
        const b = truth as Map<string, unknown>;
        return a.size === b.size && [...a].every(([key, value]) => b.get(key) === value);
      },
      onDelta: (listener) =>
        publisher().subscribe((event) => {
          if (event.type === 'delta') listener(event as DeltaMessage<unknown>);
        }),
      queuedChanges: () => server.streams.inspect().reduce((sum, stats) => sum + stats.queuedChanges, 0),
      stallRequest: (ms) => ({ event: 'fault', payload: { kind: 'stall', ms } }),
      unconflate: () => void server.feed.catalog.add(publisher(), { delivery: 'reliable' }),
      persisted: false,
    };

    const followNotices = async (): Promise<HistoryClient> => {
      const lossy = lossyParser('notice');
      const session = new AuctionSession({
        url,
        token: follower.token,
        backoff: { baseMs: 20, capMs: 200 },
        socket: { transports: ['websocket'], parser: lossy.parser },
      });
      const states: string[] = [];
      session.client.events.on('state', (state) => states.push(state));
      return {
        states,
        stats: session.notices.stats,
        held: () => session.notices.held.length,
        loseNextDelivery: lossy.arm,
        holdReconnect: () =>
          holdConnections(
            server.io,
            (socket) => (socket.data as { session?: { uid: string } }).session?.uid === follower.userId,
          ),
        local: session,
        close: () => session.close(),
      };
    };

    /** The follower's notices as the server holds them, from the client's first held one on. */
    const noticesCaughtUp = (session: AuctionSession) => {
      const held = session.notices.held;
      const truth = server.notices
        .held(follower.userId)
        .filter((notice) => notice.seq >= (held[0]?.seq ?? 1));
      const same = (a: Notice, b: Notice | undefined) =>
        a.seq === b?.seq && a.kind === b.kind && a.epoch === b.epoch;
      return (
        session.client.state === 'live' &&
        held.length === truth.length &&
        held.every((notice, i) => same(notice, truth[i]))
      );
    };

    const connect = async (): Promise<Socket> =>
      connectRaw(url, (await requestSession(url, 'hostile')).token);

    const stop = started.close;
    const app: RunningApp = {
      url,
      port: started.port,
      http: server.http,
      io: server.io,
      registry: server.metrics.registry,
      countedMetrics: [
        'auction_bids_total',
        'auction_notices_total',
        'twohop_messages_out_total',
        'twohop_resumes_total',
        'twohop_rejected_requests_total',
        'twohop_connected_clients',
      ],
      follow: (options) => Promise.resolve(followStream(capability, options)),
      caughtUp: (client) =>
        client.local instanceof AuctionSession
          ? Promise.resolve(noticesCaughtUp(sessionOf(client)))
          : streamCaughtUp(capability, client),
      cause: (count) => cause(count),
      connect,
      hostile: hostileRequests(() => publisher().position),
      stream: capability,
      requests: {
        follow: followNotices,
        pageSize: PAGE,
        resume: { event: 'notices', fields: ['after'] },
        stalledReader: () => stalledReader(server, url),
      },
      dropConnections,
      stop,
      async crash() {
        dropConnections();
        await stop();
      },
    };
    return app;
  },
};
