import type { AuctionServer } from '@twohop/auction/server';
import { requestSession } from '@twohop/client';
import { stallable } from '@twohop/testkit/node';
import { io } from 'socket.io-client';
import type { StalledReader } from '../AppAdapter.js';
import { heldBytes } from '../serverEdge.js';

/** A lot whose title fills each notice, so a page of notices is a large reply (the stalled reader's). */
export const HEAVY = 'heavy';
export const HEAVY_TITLE = 'h'.repeat(8000);
/** What one `notices` reply holds at most. */
export const PAGE = 50;
/** The reply high-water mark the adapter runs with, and the most one page of `HEAVY` notices can weigh. */
export const REPLY_HIGH_WATER = 1024 * 1024;
const HEAVY_PAGE = PAGE * (HEAVY_TITLE.length + 400);

/**
 * The follower's other tab, reading its notices page by page on the heavy lot (each notice carries its long title),
 * that stops reading. What the server may hold for it: its reply high-water mark plus the reply that crossed it.
 */
export async function stalledReader(server: AuctionServer, url: string): Promise<StalledReader> {
  const { token, userId } = await requestSession(url, 'reader');
  // The reader takes part on the heavy lot: every second bid is its own, every other outbids it.
  const rivalBids = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const view = server.feed.view(HEAVY)!;
      const readerLeads = view.leader === server.alias(HEAVY, userId);
      await server.house.bid({
        auctionId: HEAVY,
        bidderId: readerLeads ? 'rival' : userId,
        bidId: `r${i}`,
        maxCents: view.minBidCents,
      });
    }
  };
  await rivalBids(2 * PAGE);
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const tcp = stallable(socket);
  let replies = 0;
  let sent = 0;
  let closed = false;
  socket.on('disconnect', () => (closed = true));
  const serverSide = () =>
    [...server.io.of('/').sockets.values()].find(
      (candidate) => (candidate.handshake.auth as { token?: unknown }).token === token,
    );
  return {
    stall: tcp.stall,
    resume: tcp.resume,
    send: () => {
      sent++;
      socket.emit('notices', { after: 0 }, () => replies++);
    },
    sent: () => sent,
    replies: () => replies,
    serverBuffered: () => heldBytes(serverSide()),
    bound: REPLY_HIGH_WATER + HEAVY_PAGE,
    closed: () => closed,
    close: () => socket.disconnect(),
  };
}
