import { ERROR_CODES, type ErrorCode } from '@twohop/protocol';

/**
 * Why the auction's rules refuse a bid. Each is a stable wire code (the server sends it as a request error); the
 * shared protocol's `invalid_message` is reused for a malformed bid rather than given a second name.
 */
export const BID_REFUSAL_CODES = [
  /** No auction by that id. */
  'unknown_auction',
  /** The auction has not started yet (the server's time is before `startsAt`). */
  'auction_not_open',
  /** The auction has closed (the server's receipt time reached `endsAt`, soft close included). */
  'auction_closed',
  /** Below the minimum bid (the start price, or the price plus one increment), or a leader not raising their maximum. */
  'bid_too_low',
  /** Malformed: an amount that is not whole cents in range, or an id of the wrong shape. */
  'invalid_message',
] as const satisfies readonly string[];

/** One of {@link BID_REFUSAL_CODES}. */
export type BidRefusalCode = (typeof BID_REFUSAL_CODES)[number];

/**
 * Every code an auction request can fail with: the bid refusals and the shared protocol's codes (rate limits,
 * sessions, shutdown…), as one typed union. The server adds nothing outside it.
 */
export const AUCTION_ERROR_CODES = [
  ...BID_REFUSAL_CODES.filter((code) => code !== 'invalid_message'),
  ...ERROR_CODES,
] as const;

/** One of {@link AUCTION_ERROR_CODES}. */
export type AuctionErrorCode = BidRefusalCode | ErrorCode;

/** Whether `value` is one of the auction's error codes. */
export function isAuctionErrorCode(value: unknown): value is AuctionErrorCode {
  return typeof value === 'string' && (AUCTION_ERROR_CODES as readonly string[]).includes(value);
}
