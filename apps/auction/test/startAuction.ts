import { startApp } from '@twohop/app-kit';
import type { AuctionTerms } from '@twohop/auction/domain';
import { requestSession } from '@twohop/client';
import { waitFor } from '@twohop/testkit';
import { AuctionSession, type AuctionSessionOptions } from '../src/client/AuctionSession.js';
import { createAuctionServer, type AuctionServerOptions } from '../src/server/createAuctionServer.js';

/**
 * The auction on 127.0.0.1 for one test, through app-kit's `startApp` (secret `test-secret`, no simulated bidders
 * unless `options` says otherwise), on a free port or on `port`. Its graceful shutdown goes onto `cleanups`.
 */
export async function startAuction(
  cleanups: Array<() => unknown>,
  options: AuctionServerOptions = {},
  port = 0,
) {
  const server = createAuctionServer({ secret: 'test-secret', ...options });
  await server.ready;
  const app = await startApp(server, { port });
  cleanups.push(() => app.close());
  /** Signs `name` in and opens a session, closed by `cleanups`, live and with the server's clock estimated. */
  const session = async (name: string, extra: Partial<AuctionSessionOptions> = {}) => {
    const signed = await requestSession(app.url, name);
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
