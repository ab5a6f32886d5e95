import {
  eventSourceTransport,
  socketIoTransport,
  webSocketTransport,
  type EventSourceConstructor,
  type TransportFactory,
  type WebSocketConstructor,
} from '@twohop/client';
import { startTestServer, type DisposableServer } from '@twohop/testkit/node';
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import {
  attachSocketIoStreams,
  attachWebSocketStreams,
  sseStreams,
  type StreamCatalog,
} from '../src/index.js';

/** One hop-1 transport: how to serve a catalog on it, and how a client connects. */
export interface TransportUnderTest {
  readonly name: string;
  serve(catalog: StreamCatalog, port?: number): Promise<DisposableServer>;
  client(url: string): TransportFactory;
}

export const transports: TransportUnderTest[] = [
  {
    name: 'socket.io',
    serve: (catalog, port) =>
      startTestServer(
        ({ io }) => void attachSocketIoStreams(io, { catalog }),
        port === undefined ? {} : { port },
      ),
    client: (url) => socketIoTransport(url),
  },
  {
    name: 'SSE',
    serve: (catalog, port) =>
      startTestServer(
        ({ app }) => void app.get('/sse', sseStreams({ catalog }).handler),
        port === undefined ? {} : { port },
      ),
    client: (url) =>
      eventSourceTransport(`${url}/sse`, { EventSource: EventSource as unknown as EventSourceConstructor }),
  },
  {
    name: 'plain WebSocket',
    serve: (catalog, port) =>
      startTestServer(
        ({ http }) => void attachWebSocketStreams(http, { catalog }),
        port === undefined ? {} : { port },
      ),
    client: (url) =>
      webSocketTransport(`${url}/ws`, { WebSocket: WebSocket as unknown as WebSocketConstructor }),
  },
];
