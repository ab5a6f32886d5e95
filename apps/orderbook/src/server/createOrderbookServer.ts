import { createApp, type AppRuntime, type StreamApp } from '@twohop/app-kit';
import type { Bus } from '@twohop/bus';
import { StreamCatalog, type ConnectionLimits } from '@twohop/server';
import { MarketSimulator } from '../domain/MarketSimulator.js';
import { MatchingEngine } from '../domain/MatchingEngine.js';
import { BookFeed } from './BookFeed.js';
import { tiers } from '../domain/tiers.js';
import { orderbookPayloads } from '../domain/bookPayload.js';
import { engineMetrics } from './engineMetrics.js';
import { bookEntry, tradesEntry } from './orderbookStreams.js';
import { SYMBOLS, type SymbolSpec } from './symbols.js';

/** Options for {@link createOrderbookServer}. */
export interface OrderbookServerOptions {
  /** Book changes per second per symbol the simulator aims for. @default 1000 */
  rate?: number;
  /** The simulated order flow's uniform [0, 1) source (tests and scenarios pass a seeded one). @default Math.random */
  random?: () => number;
  symbols?: readonly SymbolSpec[];
  /** Run the simulator on a timer (tests drive it by hand). @default true */
  simulate?: boolean;
  /** Mode and node id, as `/healthz` reports them. @default embedded */
  runtime?: AppRuntime;
  /** Per-connection limits of the stream binding (a test's short heartbeat, say). @default the binding's defaults */
  limits?: Partial<ConnectionLimits>;
  /** Hop 2: the bus, closed when the app closes. @default an in-process `memoryBus()` */
  bus?: Bus;
  /**
   * The throttled tiers' windows shared by their subscribers (one frame per window, encoded once), on both bindings.
   * Off only to measure what sharing saves (`pnpm scenario orderbook:fanout --windows own,shared`). @default true
   */
  sharedWindows?: boolean;
}

/** One symbol's engine, simulator and streams. */
export interface SymbolRuntime {
  readonly spec: SymbolSpec;
  readonly engine: MatchingEngine;
  readonly simulator: MarketSimulator;
  readonly feed: BookFeed;
}

/** The order book app, assembled but not listening (`runApp` runs it, `startApp` starts it for a test). */
export interface OrderbookServer extends StreamApp {
  /** The streams the app serves, by name. */
  readonly catalog: StreamCatalog;
  readonly symbols: Map<string, SymbolRuntime>;
  /** Book changes per second per symbol; change it to burst. */
  rate: number;
  /** Runs the simulator for `steps` operations on every symbol and publishes them. */
  step(steps: number): void;
}

/**
 * Builds the order book app: a matching engine and simulator per symbol, their `book:` streams at each tier and
 * `trades:` streams per tier, served over socket.io and plain WebSocket (`/ws`) by app-kit (with `/healthz`, `/metrics`
 * and the built UI at `/`), and `GET /api/symbols`.
 */
export function createOrderbookServer(options: OrderbookServerOptions = {}): OrderbookServer {
  const specs = options.symbols ?? SYMBOLS;
  const symbols = runEngines(specs, options.random ?? Math.random);
  const catalog = new StreamCatalog();
  for (const { feed } of symbols.values()) {
    for (const tier of feed.tiers) {
      catalog.add(feed.books.get(tier.name)!, bookEntry(tier));
      catalog.add(feed.tradesByTier.get(tier.name)!, tradesEntry(tier));
    }
  }
  return assembleOrderbook(options, catalog, symbols);
}

/** A matching engine, simulator and feed per symbol. */
export function runEngines(specs: readonly SymbolSpec[], random: () => number): Map<string, SymbolRuntime> {
  const symbols = new Map<string, SymbolRuntime>();
  for (const spec of specs) {
    const engine = new MatchingEngine(spec.symbol);
    const simulator = new MarketSimulator(engine, { mid: spec.mid, random });
    symbols.set(spec.symbol, { spec, engine, simulator, feed: new BookFeed(engine, tiers(spec.bucket)) });
  }
  return symbols;
}

/**
 * The app around a catalog and the engines this process runs (none on a gateway): app-kit's server with `/ws`,
 * `/api/symbols`, the engine metrics, and the simulator's timer, which warms the books before returning.
 */
export function assembleOrderbook(
  options: OrderbookServerOptions,
  catalog: StreamCatalog,
  symbols: Map<string, SymbolRuntime>,
): OrderbookServer {
  const specs = options.symbols ?? SYMBOLS;
  const kit = createApp({
    name: 'orderbook',
    ...(options.runtime === undefined ? {} : { runtime: options.runtime }),
    webRoot: new URL('../../dist/web/', import.meta.url),
    uiHint: 'pnpm --filter @twohop/orderbook build',
    catalog,
    ...(options.bus === undefined ? {} : { bus: options.bus }),
    streams: {
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      // Fault injection is on: this is a demo app whose UI has a "stall 5 s" button (it only ever stalls the caller).
      allowFaultInjection: true,
      // The pro tier's protobuf frames carry book levels as BookLevels (proto/book.proto).
      binaryPayload: orderbookPayloads,
      sharedWindows: options.sharedWindows ?? true,
    },
    // Every tier over plain WebSocket too, at /ws, for clients that speak only WebSocket (docs/apps/orderbook.md).
    webSocket: { path: '/ws', sharedWindows: options.sharedWindows ?? true },
  });
  const counters = engineMetrics(kit.metrics.registry, () => [...symbols.values()].map((s) => s.engine));
  kit.routes.get('/api/symbols', (_request, response) => {
    response.json(specs.map((spec) => ({ ...spec, tiers: tiers(spec.bucket) })));
  });

  const step = (steps: number) => {
    for (const { engine, simulator, feed } of symbols.values()) {
      const before = { orders: engine.stats.orders, trades: engine.stats.trades };
      for (let i = 0; i < steps; i++) feed.publish(simulator.step());
      counters.record(engine, before);
    }
  };
  const server: OrderbookServer = Object.assign(kit, {
    catalog,
    symbols,
    rate: options.rate ?? 1000,
    step,
  });
  // Each simulator step changes about 1.3 levels on average; a tick every 10 ms.
  let carry = 0;
  const timer = setInterval(() => {
    if (options.simulate === false) return;
    carry += server.rate / 100 / 1.3;
    const steps = Math.floor(carry);
    carry -= steps;
    step(steps);
  }, 10);
  timer.unref();
  kit.onClose({ close: () => clearInterval(timer) });
  // Warm the books so the first subscriber sees depth.
  step(2000);
  return server;
}
