import {
  protobufCodec,
  serverMessage,
  type CloseNotice,
  type PayloadResolver,
  type ServerMessage,
  type WebSocketCloseFrame,
  type WebSocketReply,
} from '@twohop/protocol';
import type { ClientTransport, TransportFactory, TransportHandlers } from './ClientTransport.js';

/** The part of the WebSocket API this transport uses: the browser's, or `WebSocket` from the `ws` package in Node. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: () => void): void;
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, `WebSocket` from `ws` in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Options for {@link webSocketTransport}. */
export interface WebSocketTransportOptions {
  /** @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor;
  /** `protobuf` asks the server for binary frames. @default 'json' */
  codec?: 'json' | 'protobuf';
  /** Binary payloads per stream on the protobuf codec (the same resolver the server uses). */
  binaryPayload?: PayloadResolver;
  /** How long a request waits for its reply. @default 10000 */
  ackTimeoutMs?: number;
}

interface Waiting {
  resolve(reply: never): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const OPEN = 1;

/**
 * A stream connection over plain WebSocket (docs/protocol.md, "plain WebSocket"): `url` is the server's WebSocket
 * endpoint (`ws://host:port/ws`; an `http(s)://` URL is turned into `ws(s)://`). Requests go out as
 * `{id, method, params}` text frames and resolve with the matching `reply` frame; stream messages arrive as JSON text
 * or, on `codec: 'protobuf'`, binary frames.
 */
export function webSocketTransport(url: string, options: WebSocketTransportOptions = {}): TransportFactory {
  const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (WebSocketImpl === undefined) {
    throw new TypeError('no WebSocket here: pass one (in Node, `WebSocket` from the `ws` package)');
  }
  const codec = options.codec ?? 'json';
  const binary = protobufCodec(options.binaryPayload);
  const ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
  const endpoint = new URL(url.replace(/^http/, 'ws'));
  if (codec === 'protobuf') endpoint.searchParams.set('codec', 'protobuf');

  return (): ClientTransport => {
    const socket = new WebSocketImpl(endpoint.toString());
    socket.binaryType = 'arraybuffer';
    const waiting = new Map<number, Waiting>();
    let nextId = 1;
    let notice: CloseNotice | undefined;

    const settle = (frame: WebSocketReply) => {
      if (typeof frame.id !== 'number') return;
      const entry = waiting.get(frame.id);
      if (entry === undefined) return;
      waiting.delete(frame.id);
      clearTimeout(entry.timer);
      entry.resolve(frame.reply as never);
    };

    const onFrame = (handlers: TransportHandlers, data: unknown) => {
      if (typeof data !== 'string') {
        const bytes = new Uint8Array(data as ArrayBuffer);
        handlers.onFrameSize?.(bytes.byteLength);
        let message: ServerMessage;
        try {
          message = binary.decode(bytes);
        } catch (error) {
          return handlers.onBadFrame(error);
        }
        return handlers.onMessage(message);
      }
      handlers.onFrameSize?.(data.length);
      let frame: { type?: unknown };
      try {
        frame = JSON.parse(data) as { type?: unknown };
      } catch (error) {
        return handlers.onBadFrame(error);
      }
      if (frame.type === 'reply') return settle(frame as WebSocketReply);
      if (frame.type === 'close') {
        const { error, reconnect } = frame as WebSocketCloseFrame;
        notice = { error, reconnect };
        return;
      }
      const parsed = serverMessage.safeParse(frame);
      if (!parsed.success) return handlers.onBadFrame(parsed.error);
      handlers.onMessage(parsed.data as ServerMessage);
    };

    const request = (method: string, params: unknown): Promise<never> =>
      new Promise((resolve, reject) => {
        if (socket.readyState !== OPEN) return reject(new Error(`cannot send ${method}: not connected`));
        const id = nextId++;
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${method} timed out`));
        }, ackTimeoutMs);
        waiting.set(id, { resolve, reject, timer });
        socket.send(JSON.stringify({ id, method, params }));
      });

    return {
      name: 'ws',
      open(handlers) {
        let closed = false;
        socket.addEventListener('open', () => handlers.onOpen());
        socket.addEventListener('message', (event) => onFrame(handlers, event.data));
        socket.addEventListener('error', () => undefined);
        socket.addEventListener('close', (event) => {
          if (closed) return;
          closed = true;
          for (const entry of waiting.values()) {
            clearTimeout(entry.timer);
            entry.reject(new Error('the connection closed'));
          }
          waiting.clear();
          handlers.onClose(notice?.error.code ?? `closed (${event.code})`, notice);
        });
      },
      subscribe: (subscribe) => request('subscribe', subscribe),
      unsubscribe: (stream) => request('unsubscribe', { stream }),
      resync: (stream) => request('resync', { stream }),
      request: (method, params) => request(method, params),
      close: () => socket.close(1000),
    };
  };
}
