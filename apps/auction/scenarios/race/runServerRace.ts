import { request } from 'node:http';
import { join } from 'node:path';
import { startApp } from '@twohop/app-kit';
import { waitFor } from '@twohop/testkit';
import { AuctionSession } from '../../src/client/AuctionSession.js';
import type { LotView } from '../../src/client/wire.js';
import type { AuctionTerms } from '../../src/domain/index.js';
import type { AuctionApp } from '../../src/server/assembleAuction.js';
import { createAuctionNode } from '../../src/server/cluster/createAuctionNode.js';
import { createAuctionServer } from '../../src/server/createAuctionServer.js';
import type { BidStoreConfig } from '../../src/server/store/createBidStore.js';
import { raceResult, runBidders, type RaceOptions, type RaceResult } from './runRace.js';

/** Generous enough that no budget refuses a bid: the race is about acceptance, not rate limits. */
const UNLIMITED = 1_000_000;

/**
 * Signs `name` in from the loopback address `from` (sign-ins are limited per address: 200 bidders come from several
 * addresses of 127.0.0.0/8, as they would from several machines). Resolves with the session token.
 */
function signIn(url: string, name: string, from: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ name });
    const req = request(
      `${url}/api/session`,
      { method: 'POST', localAddress: from, headers: { 'content-type': 'application/json' } },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => {
          const reply = JSON.parse(text) as { token?: string; error?: { message: string } };
          if (reply.token === undefined) reject(new Error(`sign-in refused: ${reply.error?.message}`));
          else resolve(reply.token);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The race through the app itself: the auction server (its store from `store`, its audit log in `dir`) on a free
 * port — or `nodes` auction nodes sharing the Redis store, the bidders spread over them — and `options.clients`
 * signed-in bidders, each an `AuctionSession` over socket.io following the lot list. Each bid is an acknowledged
 * `bid` request; the price a bidder goes by is the lot list's live price. The oracle reads the servers' audit logs
 * (on several nodes, every node's: the replay orders them by version). Servers and clients share this process (and
 * its two cores).
 */
export async function runServerRace(
  store: BidStoreConfig,
  terms: readonly AuctionTerms[],
  options: RaceOptions,
  dir: string,
  nodes = 1,
): Promise<RaceResult> {
  const settings = {
    secret: 'auction-race',
    lots: terms,
    simulation: false as const,
    bidRate: UNLIMITED,
    bidBurst: UNLIMITED,
    userRate: UNLIMITED,
    userBurst: UNLIMITED,
    // Most bids of a race are refused (`bid_too_low`): outcomes, not strikes, so the default strike limit stands.
    limits: {
      ratePerSecond: UNLIMITED,
      rateBurst: UNLIMITED,
      maxPendingRequests: 1_000,
    },
  };
  if (nodes > 1 && store.kind !== 'redis') throw new Error('several nodes share a Redis store');
  const servers: AuctionApp[] =
    store.kind === 'redis' && nodes > 1
      ? Array.from({ length: nodes }, (_, i) =>
          createAuctionNode({
            ...settings,
            redisUrl: store.url,
            ...(store.keyPrefix === undefined ? {} : { keyPrefix: store.keyPrefix }),
            database: join(dir, `server-node${i + 1}.db`),
          }),
        )
      : [createAuctionServer({ ...settings, store, database: join(dir, `server-${store.kind}.db`) })];
  await Promise.all(servers.map((server) => server.ready));
  const apps = await Promise.all(servers.map((server) => startApp(server, { port: 0 })));
  const sessions: AuctionSession[] = [];
  try {
    for (let i = 0; i < options.clients; i++) {
      const url = apps[i % apps.length]!.url;
      const token = await signIn(url, `bidder ${i}`, `127.0.0.${2 + Math.floor(i / 10)}`);
      sessions.push(
        new AuctionSession({
          url,
          token,
          ackTimeoutMs: 60_000,
          bidAttempts: 1,
          socket: { transports: ['websocket'] },
        }),
      );
    }
    const price = (session: AuctionSession, auctionId: string) =>
      (session.catalog.replica.state?.get(auctionId) as LotView | undefined)?.priceCents;
    await waitFor(
      'every bidder live, with the lot list',
      () =>
        sessions.every((s) => s.client.state === 'live' && terms.every((t) => price(s, t.id) !== undefined)),
      60_000,
    );
    const times = await runBidders(terms, options, async (index, bid) => {
      const session = sessions[index]!;
      const reply = await session.bid(bid.auctionId, bid.maxCents, bid.bidId);
      return reply.ok
        ? Math.max(reply.priceCents, price(session, bid.auctionId) ?? 0)
        : price(session, bid.auctionId);
    });
    const logs = await Promise.all(servers.map(async (server) => (await server.stores).audit.entries()));
    return raceResult(terms, logs.flat(), await servers[0]!.store.list(), times);
  } finally {
    for (const session of sessions) session.close();
    await Promise.all(apps.map((app) => app.close()));
  }
}
