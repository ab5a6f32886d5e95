import type { StreamMetrics } from '@twohop/metrics';
import { jsonCodec, type ServerMessage } from '@twohop/protocol';
import { systemClock, type Clock } from '@twohop/sequence';
import type { Request, RequestHandler, Response } from 'express';
import { defaultLimits, type ConnectionLimits } from './limits.js';
import type { OutboundTransport } from './OutboundTransport.js';
import type { StreamCatalog } from './StreamCatalog.js';
import type { RequestReply } from './RequestRouter.js';
import { StreamConnection, type ConnectionStats } from './StreamConnection.js';

/** Options for {@link sseStreams}. */
export interface SseStreamsOptions {
  catalog: StreamCatalog;
  limits?: Partial<ConnectionLimits>;
  metrics?: StreamMetrics;
  clock?: Clock;
  /** The reconnection delay hint sent as `retry:`. @default 2000 */
  retryMs?: number;
}

/** What {@link sseStreams} returns. */
export interface SseStreams {
  /** `GET` handler: `?stream=<name>`, resume from `Last-Event-ID` or `?lastEventId=<epoch>:<seq>`. */
  readonly handler: RequestHandler;
  readonly connections: number;
  /** Each connection's outbound queue. */
  inspect(): ConnectionStats[];
  /** Graceful shutdown: an `event: close` with `server_shutdown` to every client, then the responses end. */
  close(): Promise<void>;
}

/** Parses an SSE event id `<epoch>:<seq>` into a resume position, or undefined. */
export function parseEventId(id: unknown): { epoch: string; seq: number } | undefined {
  if (typeof id !== 'string' || id.length > 200) return undefined;
  const colon = id.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const seq = Number(id.slice(colon + 1));
  return Number.isSafeInteger(seq) && seq >= 0 ? { epoch: id.slice(0, colon), seq } : undefined;
}

/** One SSE event. Data is JSON, so it never contains a newline. */
function sseEvent(event: string, data: string, id?: string): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`;
}

/** The SSE form of a server message: `id: <epoch>:<seq>` on state-bearing events; the heartbeat is a comment too. */
function toSse(message: ServerMessage): string {
  switch (message.type) {
    case 'snapshot':
    case 'delta':
      return sseEvent(message.type, jsonCodec.encode(message), `${message.epoch}:${message.seq}`);
    case 'batch': {
      const last = message.items[message.items.length - 1];
      return sseEvent(
        'batch',
        jsonCodec.encode(message),
        last === undefined ? undefined : `${last.epoch}:${last.seq}`,
      );
    }
    case 'heartbeat':
      // The comment keeps proxies from timing the stream out; the event lets the client's silence detector see it
      // (EventSource hides comments from scripts).
      return `: heartbeat\n${sseEvent('heartbeat', jsonCodec.encode(message))}`;
  }
}

/**
 * Serves one stream per Server-Sent Events response (docs/protocol.md, "SSE"). The same subscription and
 * backpressure-aware sender as socket.io, on `res.write()` / `'drain'`: while the response's buffer is full, changes
 * conflate instead of piling up in Node's memory. Resume comes from `Last-Event-ID` (the browser sends it on its
 * own reconnects) or `?lastEventId=` (for a new EventSource, which cannot set headers).
 */
export function sseStreams(options: SseStreamsOptions): SseStreams {
  const limits = { ...defaultLimits, ...options.limits };
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics;
  const open = new Map<Response, StreamConnection>();

  const handler: RequestHandler = (request: Request, response: Response) => {
    const resume = parseEventId(request.get('last-event-id') ?? request.query['lastEventId']);
    const stream = request.query['stream'];
    const transport: OutboundTransport = {
      name: 'sse',
      canWrite: () =>
        response.headersSent && !response.writableEnded && !response.destroyed && !response.writableNeedDrain,
      write(message) {
        const text = toSse(message);
        response.write(text);
        return Buffer.byteLength(text);
      },
      bufferedBytes: () => response.writableLength,
      onDrain: (listener) => response.on('drain', listener),
      close(notice) {
        if (!response.writableEnded) response.end(sseEvent('close', JSON.stringify(notice)));
        // A stalled client cannot take even the notice; do not keep its socket.
        const force = setTimeout(() => response.destroy(), 1000);
        force.unref();
      },
    };
    const connection = new StreamConnection(transport, { catalog: options.catalog, limits, clock, metrics });

    // The request is the subscribe. A bad one is answered with 400 and its error code before any stream starts
    // (EventSource treats that as final); a good one's ack is the first event, before the snapshot or replay,
    // which the subscription writes on the next turn.
    const replies: RequestReply<object, string>[] = [];
    connection.receive('subscribe', resume === undefined ? { stream } : { stream, resume }, (reply) => {
      replies.push(reply);
    });
    // Subscribing is synchronous and nothing is buffered yet, so the reply is already here.
    const ack = replies[0] ?? {
      ok: false,
      error: { code: 'internal', message: 'the subscribe was not answered' },
    };
    if (!ack.ok) {
      connection.dispose();
      response.status(ack.error.code === 'unknown_stream' ? 404 : 400).json(ack);
      return;
    }
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx buffers proxied responses unless told not to, which would hold events back.
      'X-Accel-Buffering': 'no',
    });
    response.write(`retry: ${options.retryMs ?? 2000}\n\n${sseEvent('ack', JSON.stringify(ack))}`);
    metrics?.connectedClients.inc({ transport: 'sse' });
    open.set(response, connection);
    request.on('close', () => {
      metrics?.connectedClients.dec({ transport: 'sse' });
      connection.dispose();
      open.delete(response);
    });
  };

  return {
    handler,
    get connections() {
      return open.size;
    },
    inspect: () => [...open.values()].map((connection) => connection.inspect()),
    async close() {
      for (const connection of open.values()) {
        connection.closeWith('server_shutdown', 'the server is shutting down; reconnect and resume', true);
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  };
}
