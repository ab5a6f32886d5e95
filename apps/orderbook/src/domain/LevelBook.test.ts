import { describe, expect, it } from 'vitest';
import { crc32 } from '@twohop/protocol';
import { bookChecksum, checksumText, LevelBook, levelBookState } from './LevelBook.js';

describe('LevelBook', () => {
  it('keeps both sides sorted best-first and reads the top without sorting', () => {
    const book = new LevelBook();
    for (const [key, quantity] of [
      ['b:99', 3],
      ['b:100', 5],
      ['b:98', 1],
      ['a:102', 7],
      ['a:101', 2],
    ] as const) {
      book.setKey(key, quantity);
    }
    expect(book.bids.top(2)).toEqual([
      [100, 5],
      [99, 3],
    ]);
    expect(book.asks.top(5)).toEqual([
      [101, 2],
      [102, 7],
    ]);
    book.setKey('b:100', 0);
    expect(book.bids.best).toBe(99);
    book.setKey('a:500', 0); // removing a level that is not there is harmless
    expect(book.asks.size).toBe(2);
  });

  it('checksums the top 10 levels per side in the documented format', () => {
    const book = new LevelBook();
    book.setKey('b:100', 5);
    book.setKey('b:99', 3);
    book.setKey('a:101', 2);
    expect(checksumText(book)).toBe('100:5,99:3|101:2');
    expect(bookChecksum(book)).toBe(crc32('100:5,99:3|101:2'));
    for (let price = 1; price <= 30; price++) book.setKey(`a:${200 + price}`, 1);
    expect(checksumText(book).split('|')[1]?.split(',')).toHaveLength(10);
    expect(checksumText(new LevelBook())).toBe('|');
  });

  it('is a state model: snapshot and restore round-trip, malformed changes change nothing', () => {
    const model = levelBookState();
    const book = model.create();
    model.apply(book, [
      { op: 'set', key: 'b:100', value: 5 },
      { op: 'set', key: 'a:101', value: 2 },
    ]);
    const restored = model.restore(model.snapshot(book));
    expect(checksumText(restored)).toBe(checksumText(book));
    expect(() =>
      model.apply(book, [
        { op: 'set', key: 'b:99', value: 1 },
        { op: 'set', key: 'x:1', value: 1 },
      ]),
    ).toThrow(TypeError);
    expect(() => model.apply(book, [{ op: 'set', key: 'b:99', value: -1 }])).toThrow(TypeError);
    expect(checksumText(book)).toBe('100:5|101:2');
  });
});
