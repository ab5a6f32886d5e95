import type { Ack, CloseNotice, ServerMessage, SubscribeAck, SubscribeRequest } from '@twohop/protocol';

/** What a transport tells the client about its one connection. */
export interface TransportHandlers {
  onOpen(): void;
  onMessage(message: ServerMessage): void;
  /** The connection is gone; `notice` is the server's reason when it closed on purpose. */
  onClose(reason: string, notice?: CloseNotice): void;
  /** A frame that could not be decoded (the client ignores it; a later gap is caught by the replica). */
  onBadFrame(error: unknown): void;
  /** The size of each frame received, in bytes (for a UI's bytes/s). */
  onFrameSize?(bytes: number): void;
  /**
   * An app-specific server event that is not a stream frame (a chat message, an outbid notice), with its payload.
   * Transports that carry only frames (SSE) never call it.
   */
  onEvent?(event: string, payload: unknown): void;
}

/**
 * One connection to a stream server, as the {@link StreamClient} drives it. Reconnection is the client's job
 * (with its own backoff), so transports never reconnect by themselves.
 */
export interface ClientTransport {
  readonly name: string;
  open(handlers: TransportHandlers): void;
  subscribe(request: SubscribeRequest): Promise<SubscribeAck>;
  unsubscribe(stream: string): Promise<Ack>;
  resync(stream: string): Promise<Ack>;
  /** Sends an app-specific request (a bid, a chat message, a fault for a demo) and resolves with its ack. */
  request?(event: string, payload: unknown): Promise<unknown>;
  close(): void;
}

/** Makes a new transport for each connection attempt. */
export type TransportFactory = () => ClientTransport;
