import type { CloseNotice, ServerMessage } from '@twohop/protocol';

/** The name a transport goes by in metrics and logs. */
export type TransportName = 'socket.io' | 'sse' | 'ws';

/**
 * What the sender needs from a transport: whether it can take a frame now without queueing it, a way to write
 * one, and a signal when it can take more. socket.io, SSE and plain WebSocket each adapt to this (see the bindings).
 */
export interface OutboundTransport {
  readonly name: TransportName;
  /** True when a frame written now goes straight out: the transport is writable and its own buffer empty. */
  canWrite(): boolean;
  /** Bytes written and not yet flushed to the network: what bounds the request path's replies. */
  bufferedBytes(): number;
  /** Writes one frame; returns its size in bytes. */
  write(message: ServerMessage): number;
  /** Calls `listener` whenever the transport has flushed and can take more. */
  onDrain(listener: () => void): void;
  /** Tells the client why, then closes the connection. */
  close(notice: CloseNotice): void;
}
