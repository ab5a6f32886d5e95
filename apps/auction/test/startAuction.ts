import { startApp } from '@twohop/app-kit';
import type { AuctionTerms } from '@twohop/auction/domain';
import { requestSession, type SignedIn } from '@twohop/client';
import { waitFor } from '@twohop/testkit';
import { AuctionSession, type AuctionSessionOptions } from '../src/client/AuctionSession.js';
import type { AuctionApp } from '../src/server/assembleAuction.js';
import { createAuctionNode, type AuctionNodeOptions } from '../src/server/cluster/createAuctionNode.js';
import { createAuctionServer, type AuctionServerOptions } from '../src/server/createAuctionServer.js';

/**
 * The auction on 127.0.0.1 for one test, through app-kit's `startApp` (secret `test-secret`, no simulated bidders
 * unless `options` says otherwise), on a free port or on `port`. Its graceful shutdown goes onto `cleanups`.
 */
export function startAuction(cleanups: Array<() => unknown>, options: AuctionServerOptions = {}, port = 0) {
  return serve(cleanups, createAuctionServer({ secret: 'test-secret', ...options }), port);
}

/** One node of the auction on several nodes sharing Redis (`createAuctionNode`), as {@link startAuction} starts it. */
export function startAuctionNode(cleanups: Array<() => unknown>, options: AuctionNodeOptions) {
  return serve(cleanups, createAuctionNode({ secret: 'test-secret', ...options }), 0);
}

async function serve<Server extends AuctionApp>(
  cleanups: Array<() => unknown>,
  server: Server,
  port: number,
) {
  await server.ready;
  const app = await startApp(server, { port });
  cleanups.push(() => app.close());
  /**
   * Signs `name` in (or reuses a sign-in: one user on several nodes) and opens a session, closed by `cleanups`,
   * live and with the server's clock estimated.
   */
  const session = async (name: string | SignedIn, extra: Partial<AuctionSessionOptions> = {}) => {
    const signed = typeof name === 'string' ? await requestSession(app.url, name) : name;
    const session = new AuctionSession({
      url: app.url,
      token: signed.token,
      expiresAt: signed.expiresAt,
      ackTimeoutMs: 2000,
      socket: { transports: ['websocket'] },
      ...extra,
    });
    cleanups.push(() => session.close());
    await waitFor('a live session', () => session.client.state === 'live');
    return Object.assign(session, { signed });
  };
  return { server, app, url: app.url, session };
}

/** A lot open now, closing in `ms` (real time), with a soft close of `windowMs` / `extensionMs`. */
export function lot(id: string, ms: number, extra: Partial<AuctionTerms> = {}): AuctionTerms {
  const now = Date.now();
  return {
    id,
    title: `Lot ${id}`,
    startPriceCents: 1000,
    startsAt: now - 1000,
    endsAt: now + ms,
    softClose: { windowMs: 1000, extensionMs: 1500 },
    ...extra,
  };
}
