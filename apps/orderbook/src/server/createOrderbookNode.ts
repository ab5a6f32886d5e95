import { mirrorFromBus, publishToBus, type Bus, type BusMirror, type BusPublication } from '@twohop/bus';
import { StreamCatalog } from '@twohop/server';
import {
  assembleOrderbook,
  runEngines,
  type OrderbookServer,
  type OrderbookServerOptions,
  type SymbolRuntime,
} from './createOrderbookServer.js';
import { orderbookStreams } from './orderbookStreams.js';
import { SYMBOLS } from './symbols.js';

/**
 * What an order book node does on several nodes:
 * - `engine`: runs the matching engines and publishes every stream to the bus; serves no streams;
 * - `gateway`: follows every stream from the bus and serves every tier; runs no engine;
 * - `both`: the two in one process (its clients are served from the bus too, so they may resume on any gateway).
 */
export type OrderbookRole = 'engine' | 'gateway' | 'both';

/** The roles, as `ORDERBOOK_ROLE` accepts them. */
export const ORDERBOOK_ROLES = ['engine', 'gateway', 'both'] as const satisfies readonly OrderbookRole[];

/** Options for {@link createOrderbookNode}. */
export interface OrderbookNodeOptions extends OrderbookServerOptions {
  /** The bus every node shares (a `redisBus`). */
  bus: Bus;
  role: OrderbookRole;
  /** How often the engine keeps a snapshot on the bus, in changes per stream. @default 256 */
  snapshotEvery?: number;
  /** Hears what the bus side could not do (a failed append, a failed catch-up); both recover on their own. */
  onBusError?: (error: unknown) => void;
}

/** An order book node: the app, and its role. */
export interface OrderbookNode extends OrderbookServer {
  readonly role: OrderbookRole;
}

/**
 * Builds one node of the order book on a shared bus, as real exchanges run it: one engine numbers every change,
 * any number of gateways serve clients. The engine's feed publishes each stream with `publishToBus`, so the bus
 * gives every change its seq; each gateway follows each stream with `mirrorFromBus` (a `StreamMirror` that needs a
 * snapshot, so a stream the bus lost is never served empty) and serves it on every tier. Clients see the bus's
 * epoch and seqs on every gateway, so one may resume on another after its gateway died.
 */
export async function createOrderbookNode(options: OrderbookNodeOptions): Promise<OrderbookNode> {
  const specs = options.symbols ?? SYMBOLS;
  const engine = options.role !== 'gateway';
  const gateway = options.role !== 'engine';
  const symbols = engine
    ? runEngines(specs, options.random ?? Math.random)
    : new Map<string, SymbolRuntime>();
  const catalog = new StreamCatalog();
  const server = assembleOrderbook(options, catalog, symbols);
  const onError = options.onBusError ?? (() => {});
  const publications: BusPublication[] = [];
  const mirrors: Pick<BusMirror<unknown, unknown, unknown>, 'close'>[] = [];
  server.onClose({
    async close() {
      await Promise.all(publications.map((publication) => publication.close()));
      await Promise.all(mirrors.map((mirror) => mirror.close()));
    },
  });
  try {
    const publish = { snapshotEvery: options.snapshotEvery ?? 256, onError };
    for (const { feed } of symbols.values()) {
      for (const book of feed.books.values())
        publications.push(await publishToBus(book, options.bus, publish));
      for (const trades of feed.tradesByTier.values())
        publications.push(await publishToBus(trades, options.bus, publish));
    }
    if (gateway) {
      const follow = { bus: options.bus, historyCapacity: 2048, requireSnapshot: true, onError };
      for (const stream of orderbookStreams(specs)) {
        const { kind, model, entry } = stream;
        const followed =
          kind === 'book'
            ? await mirrorFromBus({ ...follow, stream: stream.stream, model, checksum: stream.checksum })
            : await mirrorFromBus({ ...follow, stream: stream.stream, model });
        mirrors.push(followed);
        catalog.add(followed.mirror, entry);
      }
    }
  } catch (error) {
    await server.close();
    throw error;
  }
  return Object.assign(server, { role: options.role });
}
