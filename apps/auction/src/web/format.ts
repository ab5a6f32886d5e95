import { incrementFor } from '../domain/increments';
import type { Notice } from '../client/wire';

const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** `$1,234.50` from cents. */
export const money = (cents: number): string => dollars.format(cents / 100);

/** Cents from what a person typed (`12`, `12.5`, `$1,200.00`), or undefined. */
export function parseMoney(text: string): number | undefined {
  const cleaned = text.replace(/[$,\s]/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return undefined;
  return Math.round(Number(cleaned) * 100);
}

/** The next `count` valid amounts from the minimum bid, each one increment above the last. */
export function quickBids(minBidCents: number, count = 3): number[] {
  const amounts = [minBidCents];
  while (amounts.length < count) {
    const last = amounts.at(-1) as number;
    amounts.push(last + incrementFor(last));
  }
  return amounts;
}

/** What a notice says in a toast. */
export function noticeText(notice: Notice): string {
  const price = money(notice.priceCents);
  switch (notice.kind) {
    case 'winning':
      return `You are winning “${notice.title}” at ${price}`;
    case 'outbid':
      return `You were outbid on “${notice.title}” — now ${price}`;
    case 'won':
      return `You won “${notice.title}” for ${price}`;
    case 'lost':
      return notice.reserveNotMet === true
        ? `“${notice.title}” closed below its reserve — not sold`
        : `“${notice.title}” closed at ${price} — you did not win`;
  }
}
