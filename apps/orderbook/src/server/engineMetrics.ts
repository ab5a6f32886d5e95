import type { Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';
import type { MatchingEngine } from '../domain/MatchingEngine.js';

/** The order book's own metrics beside the stream metrics: orders and trades per symbol, and book depth. */
export interface EngineMetrics {
  /** Counts what `engine` did since the last call (orders submitted, trades matched). */
  record(engine: MatchingEngine, before: { orders: number; trades: number }): void;
}

/** Registers `orderbook_orders_total`, `orderbook_trades_total` and `orderbook_depth_levels` in `registry`. */
export function engineMetrics(registry: Registry, engines: () => Iterable<MatchingEngine>): EngineMetrics {
  const registers = [registry];
  const orders = new Counter({
    name: 'orderbook_orders_total',
    help: 'Orders submitted.',
    labelNames: ['symbol'],
    registers,
  });
  const trades = new Counter({
    name: 'orderbook_trades_total',
    help: 'Trades matched.',
    labelNames: ['symbol'],
    registers,
  });
  new Gauge({
    name: 'orderbook_depth_levels',
    help: 'Price levels on each side of the book.',
    labelNames: ['symbol', 'side'],
    registers,
    collect() {
      for (const engine of engines()) {
        this.set({ symbol: engine.symbol, side: 'bid' }, engine.bids.depth);
        this.set({ symbol: engine.symbol, side: 'ask' }, engine.asks.depth);
      }
    },
  });
  return {
    record(engine, before) {
      orders.inc({ symbol: engine.symbol }, engine.stats.orders - before.orders);
      trades.inc({ symbol: engine.symbol }, engine.stats.trades - before.trades);
    },
  };
}
