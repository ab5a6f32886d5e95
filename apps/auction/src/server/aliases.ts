import { createHmac } from 'node:crypto';

const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * A bidder's alias on one lot: `Bidder ` and four characters from an HMAC of the lot and the user id. Stable for the
 * lot's life (and across nodes that share the secret), different on every lot, and it says nothing about who the
 * bidder is — watchers follow the bidding without learning who bids on what.
 */
export function aliasOf(secret: string, auction: string, userId: string): string {
  const digest = createHmac('sha256', secret).update(`${auction}\n${userId}`).digest();
  let code = '';
  for (let i = 0; i < 4; i++) code += LETTERS[(digest[i] as number) % LETTERS.length];
  return `Bidder ${code}`;
}
