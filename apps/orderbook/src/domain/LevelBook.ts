import { keyedSplitter, type KeyedChange, type KeyedSnapshot, type StateModel } from '@twohop/snapshot-delta';
import { crc32 } from '@twohop/protocol';
import { SortedLevels } from './SortedLevels.js';

/**
 * A price-level book: the state of every `book:` stream, on the server (the publisher's state) and the client (the
 * replica's). Keys on the wire are `b:<price>` / `a:<price>` with the absolute quantity; a quantity of 0 is sent
 * as a removal.
 */
export class LevelBook {
  readonly bids = new SortedLevels('bid');
  readonly asks = new SortedLevels('ask');

  /** Applies one level by its wire key. */
  setKey(key: string, quantity: number): void {
    const price = Number(key.slice(2));
    if (key.charCodeAt(0) === 98 /* b */) this.bids.set(price, quantity);
    else this.asks.set(price, quantity);
  }

  /** Every level as wire entries. */
  entries(): KeyedSnapshot<number> {
    const entries: KeyedSnapshot<number> = [];
    this.bids.walk((price, quantity) => (entries.push([`b:${price}`, quantity]), true));
    this.asks.walk((price, quantity) => (entries.push([`a:${price}`, quantity]), true));
    return entries;
  }
}

/** The wire key of a level. */
export const levelKey = (side: 'bid' | 'ask', price: number): string =>
  `${side === 'bid' ? 'b' : 'a'}:${price}`;

/**
 * The checksum every `book:` message carries: CRC32 (IEEE) of the top 10 levels of each side, formatted as
 * `<bid price>:<bid qty>,…|<ask price>:<ask qty>,…` — bids best (highest) first, then asks best (lowest) first,
 * integers in ticks and lots, no spaces. An empty side is an empty string. Example: `100:5,99:3|101:2` →
 * `crc32("100:5,99:3|101:2")`. Documented in docs/apps/orderbook.md.
 */
export function bookChecksum(book: LevelBook): number {
  return crc32(checksumText(book));
}

/** The exact text {@link bookChecksum} hashes. */
export function checksumText(book: LevelBook): string {
  const side = (levels: SortedLevels) =>
    levels
      .top(10)
      .map(([price, quantity]) => `${price}:${quantity}`)
      .join(',');
  return `${side(book.bids)}|${side(book.asks)}`;
}

/** The {@link StateModel} of a `book:` stream: a {@link LevelBook} changed by keyed level sets and removals. */
export function levelBookState(): StateModel<
  LevelBook,
  readonly KeyedChange<number>[],
  KeyedSnapshot<number>
> {
  return {
    create: () => new LevelBook(),
    apply(book, changes) {
      const count = changes.length;
      for (let i = 0; i < count; i++) {
        const change = changes[i] as KeyedChange<number>;
        const valid =
          typeof change.key === 'string' &&
          (change.key.startsWith('b:') || change.key.startsWith('a:')) &&
          Number.isFinite(Number(change.key.slice(2))) &&
          (change.op === 'remove' ||
            (change.op === 'set' && Number.isFinite(change.value) && change.value > 0));
        if (!valid) throw new TypeError('a book change is {op, key: "b:<price>" | "a:<price>", value > 0}');
      }
      for (let i = 0; i < count; i++) {
        const change = changes[i] as KeyedChange<number>;
        book.setKey(change.key, change.op === 'set' ? change.value : 0);
      }
    },
    snapshot: (book) => book.entries(),
    restore(entries) {
      const book = new LevelBook();
      for (const [key, quantity] of entries) book.setKey(key, quantity);
      return book;
    },
    splitter: keyedSplitter<number>(),
  };
}
