import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { metricsHandler, StreamMetrics } from '@twohop/metrics';
import {
  attachSocketIoStreams,
  StreamCatalog,
  type ConnectionLimits,
  type SocketIoStreams,
} from '@twohop/server';
import { SeededRandom } from '@twohop/testkit';
import express from 'express';
import { Counter, Gauge } from 'prom-client';
import { Server } from 'socket.io';
import { MarketSimulator } from '../domain/MarketSimulator.js';
import { MatchingEngine } from '../domain/MatchingEngine.js';
import { BookFeed } from '../feed/BookFeed.js';
import { tiers } from '../feed/tiers.js';
import { orderbookPayloads } from '../wire/bookPayload.js';
import { SYMBOLS, type SymbolSpec } from './symbols.js';

/** Options for {@link createOrderbookServer}. */
export interface OrderbookServerOptions {
  /** Book changes per second per symbol the simulator aims for. @default 1000 */
  rate?: number;
  /** Seed of the simulated order flow. @default 1 */
  seed?: number;
  symbols?: readonly SymbolSpec[];
  /** Run the simulator on a timer (tests drive it by hand). @default true */
  simulate?: boolean;
  /** Per-connection limits of the stream binding (a test's short heartbeat, say). @default the binding's defaults */
  limits?: Partial<ConnectionLimits>;
}

/** One symbol's engine, simulator and streams. */
export interface SymbolRuntime {
  readonly spec: SymbolSpec;
  readonly engine: MatchingEngine;
  readonly simulator: MarketSimulator;
  readonly feed: BookFeed;
}

/** The order book app, assembled but not listening: `http.listen(port, host)` starts it. */
export interface OrderbookServer {
  readonly http: HttpServer;
  readonly app: express.Express;
  readonly io: Server;
  readonly streams: SocketIoStreams;
  /** The streams the app serves, by name. */
  readonly catalog: StreamCatalog;
  readonly metrics: StreamMetrics;
  readonly symbols: Map<string, SymbolRuntime>;
  /** Book changes per second per symbol; change it to burst. */
  rate: number;
  /** Runs the simulator for `steps` operations on every symbol and publishes them. */
  step(steps: number): void;
  /** Stops the simulator and tells clients to reconnect elsewhere. */
  close(deadlineMs?: number): Promise<void>;
}

const webRoot = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/**
 * Builds the order book app: a matching engine and simulator per symbol, their `book:` streams at each tier and
 * `trades:` streams per tier, socket.io with twohop's backpressure-aware sender, `/healthz`, `/metrics` and the built UI at `/`.
 */
export function createOrderbookServer(options: OrderbookServerOptions = {}): OrderbookServer {
  const random = new SeededRandom(options.seed ?? 1);
  const metrics = new StreamMetrics({ defaultLabels: { app: 'orderbook' } });
  const catalog = new StreamCatalog();
  const symbols = new Map<string, SymbolRuntime>();
  for (const spec of options.symbols ?? SYMBOLS) {
    const engine = new MatchingEngine(spec.symbol);
    const simulator = new MarketSimulator(engine, { mid: spec.mid, random: () => random.float() });
    const feed = new BookFeed(engine, tiers(spec.bucket));
    for (const tier of feed.tiers) {
      catalog.add(feed.books.get(tier.name)!, { intervalMs: tier.intervalMs });
      // Every trade, in order, on an unthrottled tier; a throttled tier's tape comes at the tier's frequency,
      // merged by trade id (the newest trades, none of them changed).
      const trades = feed.tradesByTier.get(tier.name)!;
      catalog.add(
        trades,
        tier.intervalMs === 0
          ? { delivery: 'reliable' }
          : { delivery: 'conflate', intervalMs: tier.intervalMs },
      );
    }
    symbols.set(spec.symbol, { spec, engine, simulator, feed });
  }

  const registers = [metrics.registry];
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
      for (const { engine } of symbols.values()) {
        this.set({ symbol: engine.symbol, side: 'bid' }, engine.bids.depth);
        this.set({ symbol: engine.symbol, side: 'ask' }, engine.asks.depth);
      }
    },
  });

  const app = express();
  const http = createServer(app);
  const io = new Server(http, { maxHttpBufferSize: 64 * 1024 });
  // Fault injection is on: this is a demo app whose UI has a "stall 5 s" button (it only ever stalls the caller).
  const streams = attachSocketIoStreams(io, {
    catalog,
    metrics,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    allowFaultInjection: true,
    // The pro tier's protobuf frames carry book levels as BookLevels (proto/book.proto).
    binaryPayload: orderbookPayloads,
  });
  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok', mode: 'embedded', node: `${hostname()}:${process.pid}` });
  });
  app.get('/metrics', metricsHandler(metrics.registry));
  app.get('/api/symbols', (_request, response) => {
    response.json([...symbols.values()].map(({ spec }) => ({ ...spec, tiers: tiers(spec.bucket) })));
  });
  if (existsSync(webRoot)) app.use(express.static(webRoot));
  else
    app.get(
      '/',
      (_request, response) =>
        void response.type('text').send('UI not built: run `pnpm build` in apps/orderbook'),
    );

  const step = (steps: number) => {
    for (const { engine, simulator, feed } of symbols.values()) {
      const before = { orders: engine.stats.orders, trades: engine.stats.trades };
      for (let i = 0; i < steps; i++) feed.publish(simulator.step());
      orders.inc({ symbol: engine.symbol }, engine.stats.orders - before.orders);
      trades.inc({ symbol: engine.symbol }, engine.stats.trades - before.trades);
    }
  };
  // Each simulator step changes about 1.3 levels on average; a tick every 10 ms.
  let carry = 0;
  const server: OrderbookServer = {
    http,
    app,
    io,
    streams,
    catalog,
    metrics,
    symbols,
    rate: options.rate ?? 1000,
    step,
    async close(deadlineMs = 5000) {
      clearInterval(timer);
      await streams.close(deadlineMs);
    },
  };
  const timer = setInterval(() => {
    if (options.simulate === false) return;
    carry += server.rate / 100 / 1.3;
    const steps = Math.floor(carry);
    carry -= steps;
    step(steps);
  }, 10);
  timer.unref();
  // Warm the books so the first subscriber sees depth.
  step(2000);
  return server;
}
