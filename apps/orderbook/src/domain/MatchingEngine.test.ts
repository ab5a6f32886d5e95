import { describe, expect, it } from 'vitest';
import { MatchingEngine, OrderError } from './MatchingEngine.js';

const engine = () => new MatchingEngine('BTC-USD');

describe('MatchingEngine', () => {
  it('rests a limit order that does not cross, and reports its level', () => {
    const book = engine();
    const execution = book.limit({ id: 'b1', side: 'buy', price: 100, quantity: 5 });
    expect(execution).toEqual({
      fills: [],
      rested: 5,
      unfilled: 0,
      levels: [{ side: 'buy', price: 100, quantity: 5 }],
    });
    expect(book.bids.top(1)).toEqual([[100, 5]]);
  });

  it('matches at the maker’s price, best price first (price priority)', () => {
    const book = engine();
    book.limit({ id: 'a1', side: 'sell', price: 102, quantity: 1 });
    book.limit({ id: 'a2', side: 'sell', price: 101, quantity: 1 });
    const execution = book.limit({ id: 'b1', side: 'buy', price: 105, quantity: 2 });
    expect(execution.fills.map((f) => [f.makerId, f.price])).toEqual([
      ['a2', 101],
      ['a1', 102],
    ]);
    expect(execution.rested).toBe(0);
    expect(book.asks.depth).toBe(0);
  });

  it('fills the oldest order at a price first (time priority)', () => {
    const book = engine();
    book.limit({ id: 'first', side: 'sell', price: 101, quantity: 3 });
    book.limit({ id: 'second', side: 'sell', price: 101, quantity: 3 });
    const execution = book.market({ id: 'm', side: 'buy', quantity: 4 });
    expect(execution.fills.map((f) => [f.makerId, f.quantity])).toEqual([
      ['first', 3],
      ['second', 1],
    ]);
    expect(execution.levels).toEqual([{ side: 'sell', price: 101, quantity: 2 }]);
    expect(book.has('first')).toBe(false);
    expect(book.has('second')).toBe(true);
  });

  it('fills partially and rests the remainder at the limit', () => {
    const book = engine();
    book.limit({ id: 'a1', side: 'sell', price: 101, quantity: 2 });
    const execution = book.limit({ id: 'b1', side: 'buy', price: 101, quantity: 5 });
    expect(execution.fills).toEqual([{ takerId: 'b1', makerId: 'a1', side: 'buy', price: 101, quantity: 2 }]);
    expect(execution.rested).toBe(3);
    expect(execution.levels).toEqual([
      { side: 'sell', price: 101, quantity: 0 },
      { side: 'buy', price: 101, quantity: 3 },
    ]);
  });

  it('stops a limit order at the first level it does not reach', () => {
    const book = engine();
    book.limit({ id: 'a1', side: 'sell', price: 101, quantity: 1 });
    book.limit({ id: 'a2', side: 'sell', price: 103, quantity: 1 });
    const execution = book.limit({ id: 'b1', side: 'buy', price: 102, quantity: 5 });
    expect(execution.fills).toHaveLength(1);
    expect(execution.rested).toBe(4);
    expect(book.asks.top(5)).toEqual([[103, 1]]);
    expect(book.bids.top(5)).toEqual([[102, 4]]);
  });

  it('never rests a market order; reports what it could not fill', () => {
    const book = engine();
    book.limit({ id: 'b1', side: 'buy', price: 99, quantity: 2 });
    const execution = book.market({ id: 'm', side: 'sell', quantity: 5 });
    expect(execution.unfilled).toBe(3);
    expect(execution.rested).toBe(0);
    expect(book.bids.depth).toBe(0);
    expect(book.asks.depth).toBe(0);
  });

  it('cancels a resting order and reports its level', () => {
    const book = engine();
    book.limit({ id: 'b1', side: 'buy', price: 100, quantity: 5 });
    book.limit({ id: 'b2', side: 'buy', price: 100, quantity: 2 });
    expect(book.cancel('b1').levels).toEqual([{ side: 'buy', price: 100, quantity: 2 }]);
    // The cancelled order never fills.
    const execution = book.market({ id: 'm', side: 'sell', quantity: 3 });
    expect(execution.fills.map((f) => f.makerId)).toEqual(['b2']);
  });

  it('refuses invalid orders, duplicate ids and unknown cancels without changing the book', () => {
    const book = engine();
    book.limit({ id: 'b1', side: 'buy', price: 100, quantity: 5 });
    const refused = (code: string, operation: () => unknown) => {
      expect(operation).toThrow(OrderError);
      try {
        operation();
      } catch (error) {
        expect((error as OrderError).code).toBe(code);
      }
    };
    refused('duplicate_id', () => book.limit({ id: 'b1', side: 'buy', price: 101, quantity: 1 }));
    refused('invalid_order', () => book.limit({ id: 'x', side: 'buy', price: 100.5, quantity: 1 }));
    refused('invalid_order', () => book.limit({ id: 'x', side: 'buy', price: 100, quantity: 0 }));
    refused('invalid_order', () => book.market({ id: 'x', side: 'sell', quantity: -1 }));
    refused('unknown_order', () => book.cancel('nope'));
    expect(book.bids.all()).toEqual([[100, 5]]);
  });

  it('keeps levels sorted best-first on both sides', () => {
    const book = engine();
    for (const price of [98, 100, 99]) book.limit({ id: `b${price}`, side: 'buy', price, quantity: 1 });
    for (const price of [103, 101, 102]) book.limit({ id: `a${price}`, side: 'sell', price, quantity: 1 });
    expect(book.bids.all().map(([p]) => p)).toEqual([100, 99, 98]);
    expect(book.asks.all().map(([p]) => p)).toEqual([101, 102, 103]);
  });
});
