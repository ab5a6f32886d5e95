import { jsonCodec, type CloseNotice, type ResumePosition, type SubscribeAck } from '@twohop/protocol';
import type { ClientTransport, TransportFactory, TransportHandlers } from './ClientTransport.js';

/** The part of the EventSource API this transport uses (the browser's, or the `eventsource` package's in Node). */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  close(): void;
}

/** An EventSource constructor: `globalThis.EventSource` in browsers, `EventSource` from `eventsource` in Node. */
export type EventSourceConstructor = new (url: string) => EventSourceLike;

/** Options for {@link eventSourceTransport}. */
export interface EventSourceTransportOptions {
  /** @default globalThis.EventSource */
  EventSource?: EventSourceConstructor;
  /** How long a subscribe waits for its `ack` event. @default 10000 */
  ackTimeoutMs?: number;
}

const CLOSED = 2;

/**
 * Streams over Server-Sent Events (docs/protocol.md, "SSE"): one EventSource per subscribed stream, at
 * `<url>?stream=<name>&lastEventId=<epoch>:<seq>`. A `resync` reopens the stream without a resume point, which
 * makes the server send a snapshot. EventSource's own reconnection is cut short: on an error the transport closes
 * and the client reconnects with its backoff.
 */
export function eventSourceTransport(
  url: string,
  options: EventSourceTransportOptions = {},
): TransportFactory {
  const EventSourceImpl =
    options.EventSource ?? (globalThis as { EventSource?: EventSourceConstructor }).EventSource;
  if (EventSourceImpl === undefined) {
    throw new TypeError(
      'no EventSource here: pass one (in Node, `EventSource` from the `eventsource` package)',
    );
  }
  const ackTimeoutMs = options.ackTimeoutMs ?? 10_000;

  return (): ClientTransport => {
    const sources = new Map<string, EventSourceLike>();
    let handlers: TransportHandlers | undefined;
    let closed = false;
    let notice: CloseNotice | undefined;

    const shutDown = (reason: string) => {
      if (closed) return;
      closed = true;
      for (const source of sources.values()) source.close();
      sources.clear();
      handlers?.onClose(reason, notice);
    };

    const openStream = (stream: string, resume: ResumePosition | undefined): Promise<SubscribeAck> =>
      new Promise((resolve, reject) => {
        sources.get(stream)?.close();
        const query = new URLSearchParams({ stream });
        if (resume !== undefined) query.set('lastEventId', `${resume.epoch}:${resume.seq}`);
        const source = new EventSourceImpl(`${url}${url.includes('?') ? '&' : '?'}${query.toString()}`);
        sources.set(stream, source);
        const timer = setTimeout(() => reject(new Error('subscribe timed out')), ackTimeoutMs);
        const onFrame = (event: { data?: unknown }) => {
          try {
            handlers?.onMessage(jsonCodec.decode(String(event.data)));
          } catch (error) {
            handlers?.onBadFrame(error);
          }
        };
        for (const type of ['snapshot', 'delta', 'batch', 'heartbeat'])
          source.addEventListener(type, onFrame);
        source.addEventListener('ack', (event) => {
          clearTimeout(timer);
          try {
            resolve(JSON.parse(String(event.data)) as SubscribeAck);
          } catch (error) {
            reject(error as Error);
          }
        });
        source.addEventListener('close', (event) => {
          try {
            notice = JSON.parse(String(event.data)) as CloseNotice;
          } catch {
            // A close without a readable notice is still a close.
          }
          shutDown(notice?.error.code ?? 'closed by server');
        });
        source.addEventListener('error', () => {
          clearTimeout(timer);
          // Any error ends this connection: the client reconnects every stream with its backoff and resumes.
          if (sources.get(stream) === source) shutDown(source.readyState === CLOSED ? 'closed' : 'error');
          reject(new Error('stream connection failed'));
        });
      });

    return {
      name: 'sse',
      open(received) {
        handlers = received;
        // Nothing to open until a stream is subscribed: each stream is its own request.
        queueMicrotask(() => received.onOpen());
      },
      subscribe: (request) => openStream(request.stream, request.resume),
      async unsubscribe(stream) {
        sources.get(stream)?.close();
        sources.delete(stream);
        return { ok: true };
      },
      async resync(stream) {
        const ack = await openStream(stream, undefined);
        return ack.ok ? { ok: true } : ack;
      },
      close: () => {
        closed = true;
        for (const source of sources.values()) source.close();
        sources.clear();
      },
    };
  };
}
