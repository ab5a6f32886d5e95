import { socketIoTransport } from '@twohop/client';
import { bookChecksum, levelBookState, type LevelBook } from '@twohop/orderbook/book';
import { createOrderbookServer } from '@twohop/orderbook/server';
import { ERROR_CODES, type DeltaMessage } from '@twohop/protocol';
import { trackConnections } from '@twohop/testkit';
import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import type { AppAdapter, HostileSpec, RunningApp, StreamCapability } from '../AppAdapter.js';
import { followStream, streamCaughtUp } from '../streamFollower.js';

const STREAM = 'book:BTC-USD';
const entries = (book: LevelBook) => new Map(book.entries());

const stream = fc.oneof(
  fc.constant(STREAM),
  fc.constant('book:BTC-USD/retail'),
  fc.constant('book:NOPE'),
  fc.string({ maxLength: 30 }),
);
const hostile: HostileSpec = {
  setup: [{ event: 'subscribe', payload: { stream: STREAM } }],
  codes: ERROR_CODES,
  requests: [
    {
      event: 'subscribe',
      valid: fc.record(
        {
          stream,
          // A resume point that may be right, stale, from the future, or of another epoch.
          resume: fc.record({
            epoch: fc.oneof(fc.string({ maxLength: 12 }), fc.constant('0')),
            seq: fc.nat(),
          }),
          options: fc.record({ tier: fc.constantFrom('pro', 'retail', 'mobile') }, { requiredKeys: [] }),
        },
        { requiredKeys: ['stream'] },
      ),
    },
    { event: 'unsubscribe', valid: fc.record({ stream }) },
    { event: 'resync', valid: fc.record({ stream }) },
  ],
};

/** The order book in embedded mode, followed on its full-depth stream `book:BTC-USD`. */
export const orderbookAdapter: AppAdapter = {
  name: 'orderbook',
  capabilities: ['stream'],
  async start({ port = 0, heartbeat }) {
    const server = createOrderbookServer({
      simulate: false,
      seed: 9,
      ...(heartbeat === undefined ? {} : { limits: { heartbeatMs: heartbeat.beatMs } }),
    });
    const dropConnections = trackConnections(server.http);
    await new Promise<void>((resolve) => server.http.listen(port, '127.0.0.1', resolve));
    const bound = (server.http.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${bound}`;
    const publisher = server.symbols.get('BTC-USD')!.feed.books.get('pro')!;
    const capability: StreamCapability = {
      stream: STREAM,
      model: levelBookState(),
      checksum: bookChecksum,
      transport: () => socketIoTransport(url),
      truth: () => ({ state: publisher.state, ...publisher.position }),
      same: (client, truth) => {
        const a = entries(client as LevelBook);
        const b = entries(truth as LevelBook);
        return a.size === b.size && [...a].every(([key, value]) => b.get(key) === value);
      },
      onDelta: (listener) =>
        publisher.subscribe((event) => {
          if (event.type === 'delta') listener(event as DeltaMessage<unknown>);
        }),
      queuedChanges: () => server.streams.inspect().reduce((sum, stats) => sum + stats.queuedChanges, 0),
      stallRequest: (ms) => ({ event: 'fault', payload: { kind: 'stall', ms } }),
      unconflate: () => void server.catalog.add(publisher, { delivery: 'reliable' }),
      persisted: false,
    };
    const stop = async () => {
      await server.close(1000);
      await new Promise<void>((resolve) => {
        server.http.close(() => resolve());
        dropConnections();
      });
    };
    const app: RunningApp = {
      url,
      port: bound,
      http: server.http,
      io: server.io,
      registry: server.metrics.registry,
      countedMetrics: [
        'twohop_messages_out_total',
        'twohop_bytes_out_total',
        'twohop_resumes_total',
        'twohop_rejected_requests_total',
        'twohop_connected_clients',
      ],
      follow: (options) => Promise.resolve(followStream(capability, options)),
      caughtUp: (client) => streamCaughtUp(capability, client),
      cause: (count) => Promise.resolve(server.step(count)),
      async connect(): Promise<Socket> {
        const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('connect_error', reject);
        });
        return socket;
      },
      hostile,
      stream: capability,
      dropConnections,
      stop,
      async crash() {
        dropConnections();
        await stop();
      },
    };
    return app;
  },
};
