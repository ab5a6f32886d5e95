import type { PayloadCodec, PayloadResolver } from '@twohop/protocol';
import type { KeyedChange, KeyedSnapshot } from '@twohop/snapshot-delta';
import protobuf from 'protobufjs/light.js';
import { bookDescriptor } from './generated/bookDescriptor.js';

const BookLevels = protobuf.Root.fromJSON(bookDescriptor).lookupType('twohop.orderbook.BookLevels');

interface Levels {
  bidPrice: number[];
  bidQuantity: number[];
  askPrice: number[];
  askQuantity: number[];
}

const empty = (): Levels => ({ bidPrice: [], bidQuantity: [], askPrice: [], askQuantity: [] });

function add(levels: Levels, key: string, quantity: number): void {
  const price = Number(key.slice(2));
  if (key.charCodeAt(0) === 98 /* b */) {
    levels.bidPrice.push(price);
    levels.bidQuantity.push(quantity);
  } else {
    levels.askPrice.push(price);
    levels.askQuantity.push(quantity);
  }
}

function decode(bytes: Uint8Array): Levels {
  return BookLevels.toObject(BookLevels.decode(bytes), { longs: Number, arrays: true }) as Levels;
}

function each(levels: Levels, visit: (key: string, quantity: number) => void): void {
  levels.bidPrice.forEach((price, i) => visit(`b:${price}`, levels.bidQuantity[i] ?? 0));
  levels.askPrice.forEach((price, i) => visit(`a:${price}`, levels.askQuantity[i] ?? 0));
}

/** Book deltas as `BookLevels` (proto/book.proto): a removal is a quantity of 0. */
export const bookDeltaPayload: PayloadCodec = {
  encode(data) {
    const levels = empty();
    for (const change of data as KeyedChange<number>[])
      add(levels, change.key, change.op === 'set' ? change.value : 0);
    return BookLevels.encode(BookLevels.fromObject(levels)).finish();
  },
  decode(bytes) {
    const changes: KeyedChange<number>[] = [];
    each(decode(bytes), (key, quantity) =>
      changes.push(quantity === 0 ? { op: 'remove', key } : { op: 'set', key, value: quantity }),
    );
    return changes;
  },
};

/** Book snapshots as `BookLevels`: every level with its quantity. */
export const bookSnapshotPayload: PayloadCodec = {
  encode(data) {
    const levels = empty();
    for (const [key, quantity] of data as KeyedSnapshot<number>) add(levels, key, quantity);
    return BookLevels.encode(BookLevels.fromObject(levels)).finish();
  },
  decode(bytes) {
    const entries: KeyedSnapshot<number> = [];
    each(decode(bytes), (key, quantity) => entries.push([key, quantity]));
    return entries;
  },
};

/** Binary payloads of the order book's streams: `book:` levels as BookLevels, everything else JSON. */
export const orderbookPayloads: PayloadResolver = (stream, kind) =>
  stream.startsWith('book:') ? (kind === 'snapshot' ? bookSnapshotPayload : bookDeltaPayload) : undefined;
