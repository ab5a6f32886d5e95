import { startApp } from '@twohop/app-kit';
import { socketIoTransport, webSocketTransport, type WebSocketConstructor } from '@twohop/client';
import WebSocket from 'ws';
import { bookChecksum, levelBookState, type LevelBook } from '@twohop/orderbook/book';
import { createOrderbookServer } from '@twohop/orderbook/server';
import { ERROR_CODES, type DeltaMessage } from '@twohop/protocol';
import { SeededRandom } from '@twohop/testkit';
import fc from 'fast-check';
import { connectRaw } from '../rawClients.js';
import type { AppAdapter, HostileSpec, RunningApp, StreamCapability } from '../AppAdapter.js';
import { followStream, streamCaughtUp } from '../streamFollower.js';
import { streamProtocolRequests } from '../streamRequests.js';

const STREAM = 'book:BTC-USD';
const entries = (book: LevelBook) => new Map(book.entries());

/** The stream protocol's requests against the order book's streams and tiers, for hostile input. */
function hostileRequests(position: () => { epoch: string; seq: number }): HostileSpec {
  const stream = fc.oneof(
    fc.constantFrom(STREAM, 'book:BTC-USD/retail', 'trades:BTC-USD', 'book:NOPE'),
    fc.stringMatching(/^[a-z]{1,8}:[A-Z-]{1,10}$/),
  );
  const tier = fc.record({ tier: fc.constantFrom('pro', 'retail', 'mobile') });
  return {
    setup: [{ event: 'subscribe', payload: { stream: STREAM } }],
    codes: ERROR_CODES,
    requests: streamProtocolRequests(stream, position(), tier),
  };
}

/**
 * The order book in embedded mode, followed on its full-depth stream `book:BTC-USD` over one of its two bindings:
 * socket.io, or plain WebSocket at `/ws`. Raw and hostile clients speak socket.io either way.
 */
function orderbookOver(binding: 'socket.io' | 'ws'): AppAdapter {
  /** A canary's rewrite of the followers' requests over plain WebSocket (`{id, method, params}` frames). */
  let rewrite: ((event: string, payload: Record<string, unknown>) => void) | undefined;
  class RewritingWebSocket extends WebSocket {
    override send(data: unknown, ...rest: unknown[]): void {
      if (rewrite !== undefined && typeof data === 'string') {
        const request = JSON.parse(data) as { method?: string; params?: Record<string, unknown> };
        if (
          typeof request.method === 'string' &&
          typeof request.params === 'object' &&
          request.params !== null
        ) {
          rewrite(request.method, request.params);
          data = JSON.stringify(request);
        }
      }
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  }
  return {
    name: binding === 'ws' ? 'orderbook over plain WebSocket' : 'orderbook',
    capabilities: ['stream'],
    async start({ port = 0, heartbeat }) {
      const random = new SeededRandom(9);
      const started = await startApp(
        createOrderbookServer({
          simulate: false,
          random: () => random.float(),
          ...(heartbeat === undefined ? {} : { limits: { heartbeatMs: heartbeat.beatMs } }),
        }),
        { port },
      );
      const { server, url, dropConnections } = started;
      const publisher = server.symbols.get('BTC-USD')!.feed.books.get('pro')!;
      const capability: StreamCapability = {
        stream: STREAM,
        model: levelBookState(),
        checksum: bookChecksum,
        transport: () =>
          binding === 'ws'
            ? webSocketTransport(`${url.replace(/^http/, 'ws')}/ws`, {
                WebSocket: RewritingWebSocket as unknown as WebSocketConstructor,
              })
            : socketIoTransport(url),
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
        queuedChanges: () =>
          [...server.streams.inspect(), ...(server.webSocketStreams?.inspect() ?? [])].reduce(
            (sum, stats) => sum + stats.queuedChanges,
            0,
          ),
        stallRequest: (ms) => ({ event: 'fault', payload: { kind: 'stall', ms } }),
        unconflate: () => void server.catalog.add(publisher, { delivery: 'reliable' }),
        persisted: false,
      };
      const stop = started.close;
      const app: RunningApp = {
        url,
        port: started.port,
        http: server.http,
        io: server.io,
        ...(binding === 'ws' ? { rewriteFollowerRequests: (next) => void (rewrite = next) } : {}),
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
        connect: () => connectRaw(url),
        hostile: hostileRequests(() => publisher.position),
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
}

/** The order book over socket.io. */
export const orderbookAdapter = orderbookOver('socket.io');
/** The order book over plain WebSocket (`/ws`): the same stream properties through the third binding. */
export const orderbookWebSocketAdapter = orderbookOver('ws');
