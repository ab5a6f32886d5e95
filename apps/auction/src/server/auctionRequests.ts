import { sessionOf, type SignedSessions } from '@twohop/app-kit';
import { isValidId, MAX_BID_CENTS, type BidRefusalCode, type BidStore } from '@twohop/auction/domain';
import { RequestError, RequestRouter, type IdentityBudgets } from '@twohop/server';
import type { Socket } from 'socket.io';
import { z } from 'zod';
import type { BidAck, NoticesPage } from '../client/wire.js';
import type { AuctionHouse } from './AuctionHouse.js';
import type { NoticePages } from './UserNotices.js';

/** What the requests work with. */
export interface AuctionRequestDeps {
  readonly house: AuctionHouse;
  readonly store: BidStore;
  readonly notices: NoticePages;
  readonly sessions: SignedSessions;
  /** Bids per user (`bidRate`, `bidBurst`), over all of a user's connections. */
  readonly bidBudgets: IdentityBudgets;
  readonly alias: (auction: string, userId: string) => string;
}

/**
 * A refused bid as a request error. A bid beaten by a rival's, or arriving as the lot closes, is the rules' answer
 * to a well-formed request — every honest bidder meets it in a busy lot — so it is an outcome, not a strike (the bid
 * budget bounds a client that sends them on purpose). A bid naming no auction or malformed is a strike, as any
 * other refused request.
 */
function refusalOf(code: BidRefusalCode, message: string): RequestError<BidRefusalCode> {
  return RULE_OUTCOMES.has(code) ? RequestError.outcome(code, message) : new RequestError(code, message);
}
const RULE_OUTCOMES: ReadonlySet<BidRefusalCode> = new Set([
  'bid_too_low',
  'auction_closed',
  'auction_not_open',
]);

/** 1–64 characters, no control character: the domain's rule for auction and bid ids. */
const id = z.string().min(1).max(64).refine(isValidId, 'an id is 1–64 characters, no control characters');

/**
 * The auction's requests, served through the stream binding's gate (the same limits, budgets and strikes as
 * subscribe): every one a strict schema, a cost, and a refusal with a code from the auction's error codes.
 *
 * - `bid {auction, bidId, maxCents}` → {@link BidAck}: a maximum (proxy) bid; a retry with the same `bidId` gets
 *   the first outcome. Refusals: `bid_too_low`, `auction_closed`, `auction_not_open`, `unknown_auction`,
 *   `rate_limited` (the per-user bid budget, with `retryAfterMs`).
 * - `time {}` → `{serverTime}`: the store's clock, for the client's offset estimate.
 * - `alias {auction}` → `{alias}`: who the asking user is on a lot (so the page can say "you").
 * - `notices {after, epoch?}` → {@link NoticesPage}: the user's notices after a position (catch-up).
 * - `session:refresh {}` → `{token, expiresAt}`.
 */
export function auctionRequests(deps: AuctionRequestDeps): RequestRouter<Socket> {
  return new RequestRouter<Socket>()
    .add('bid', {
      schema: z.strictObject({
        auction: id,
        bidId: id,
        maxCents: z.number().int().min(1).max(MAX_BID_CENTS),
      }),
      cost: 2,
      handle: async ({ auction, bidId, maxCents }, socket): Promise<BidAck> => {
        const userId = sessionOf(socket).uid;
        const bucket = deps.bidBudgets.of(userId);
        if (!bucket.take())
          throw new RequestError('rate_limited', 'too many bids', Math.ceil(bucket.waitMs()));
        const { outcome } = await deps.house.bid({ auctionId: auction, bidderId: userId, bidId, maxCents });
        if (!outcome.ok) throw refusalOf(outcome.code, outcome.message);
        return {
          priceCents: outcome.priceCents,
          leading: outcome.leading,
          endsAt: outcome.endsAt,
          alias: deps.alias(auction, userId),
        };
      },
    })
    .add('time', {
      schema: z.strictObject({}),
      handle: async () => ({ serverTime: await deps.store.now() }),
    })
    .add('alias', {
      schema: z.strictObject({ auction: id }),
      handle: ({ auction }, socket) => ({ alias: deps.alias(auction, sessionOf(socket).uid) }),
    })
    .add('notices', {
      schema: z.strictObject({
        after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
        epoch: z.string().max(64).optional(),
      }),
      cost: 2,
      handle: ({ after, epoch }, socket): NoticesPage | Promise<NoticesPage> =>
        deps.notices.after(sessionOf(socket).uid, after, epoch),
    })
    .add('session:refresh', {
      schema: z.strictObject({}),
      cost: 2,
      handle: (_input, socket) => {
        const next = deps.sessions.refresh(sessionOf(socket));
        socket.data.session = next.session;
        return { token: next.token, expiresAt: next.session.exp };
      },
    });
}
