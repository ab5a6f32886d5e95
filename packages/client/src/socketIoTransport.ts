import {
  isErrorCode,
  jsonCodec,
  protobufCodec,
  type CloseNotice,
  type PayloadResolver,
  type ServerMessage,
} from '@twohop/protocol';
import { io, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import type { ClientTransport, TransportFactory } from './ClientTransport.js';

/** Options for {@link socketIoTransport}. */
export interface SocketIoTransportOptions {
  /** `protobuf` asks the server for binary frames. @default 'json' */
  codec?: 'json' | 'protobuf';
  /** Binary payloads per stream on the protobuf codec (the same resolver the server uses). */
  binaryPayload?: PayloadResolver;
  /** How long a request waits for its ack. @default 10000 */
  ackTimeoutMs?: number;
  /** Passed to socket.io-client (reconnection is always off: the StreamClient reconnects with its own backoff). */
  socket?: Partial<ManagerOptions & SocketOptions>;
}

/** A stream connection over socket.io (docs/protocol.md, "socket.io"). */
export function socketIoTransport(url: string, options: SocketIoTransportOptions = {}): TransportFactory {
  const codec = options.codec ?? 'json';
  const binary = protobufCodec(options.binaryPayload);
  const ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
  return (): ClientTransport => {
    const socket = io(url, {
      transports: ['websocket'],
      ...options.socket,
      reconnection: false,
      forceNew: true,
      autoConnect: false,
      query: { ...(options.socket?.query as Record<string, string> | undefined), codec },
    });
    const request = (event: string, payload: unknown) =>
      socket.timeout(ackTimeoutMs).emitWithAck(event, payload) as Promise<never>;
    return {
      name: 'socket.io',
      open(handlers) {
        let notice: CloseNotice | undefined;
        let closed = false;
        const close = (reason: string) => {
          if (closed) return;
          closed = true;
          handlers.onClose(reason, notice);
        };
        socket.on('connect', () => handlers.onOpen());
        socket.on('m', (frame: unknown) => {
          handlers.onFrameSize?.(
            typeof frame === 'string' ? frame.length : (frame as ArrayBuffer).byteLength,
          );
          let message: ServerMessage;
          try {
            message =
              typeof frame === 'string'
                ? jsonCodec.decode(frame)
                : binary.decode(frame instanceof ArrayBuffer ? new Uint8Array(frame) : (frame as Uint8Array));
          } catch (error) {
            handlers.onBadFrame(error);
            return;
          }
          handlers.onMessage(message);
        });
        socket.on('close-notice', (received: CloseNotice) => {
          notice = received;
        });
        // Every other server event is the app's own (a chat message, a notice): handed on as it came.
        socket.onAny((event: string, payload: unknown) => {
          if (event !== 'm' && event !== 'close-notice') handlers.onEvent?.(event, payload);
        });
        socket.on('disconnect', (reason) => close(reason));
        socket.on('connect_error', (error: Error & { data?: unknown }) => {
          // A server that refuses the handshake on purpose (credentials refused) says so in the error's data:
          // `{code, reconnect: false}` is a close notice, and the client does not retry.
          const data = error.data as { code?: unknown; reconnect?: unknown } | undefined;
          if (isErrorCode(data?.code) && data.reconnect === false) {
            notice = { error: { code: data.code, message: error.message }, reconnect: false };
          }
          close(`connect_error: ${error.message}`);
        });
        socket.connect();
      },
      subscribe: (subscribe) => request('subscribe', subscribe),
      unsubscribe: (stream) => request('unsubscribe', { stream }),
      resync: (stream) => request('resync', { stream }),
      request: (event, payload) => request(event, payload),
      close: () => socket.disconnect(),
    };
  };
}
