import {
  eventSourceTransport,
  socketIoTransport,
  type EventSourceConstructor,
  type TransportFactory,
} from '@twohop/client';
import { startTestServer, type DisposableServer } from '@twohop/testkit/node';
import { EventSource } from 'eventsource';
import { attachSocketIoStreams, sseStreams, type StreamCatalog } from '../src/index.js';

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
];
