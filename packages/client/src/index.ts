/**
 * @twohop/client — following twohop streams from a browser or Node: a reconnecting {@link StreamClient} over
 * socket.io, EventSource or plain WebSocket, with backoff and jitter, heartbeat-silence detection, resume, and a Replica per stream.
 */
export { Backoff, type BackoffOptions } from './Backoff.js';
export type { ClientTransport, TransportFactory, TransportHandlers } from './ClientTransport.js';
export {
  eventSourceTransport,
  type EventSourceConstructor,
  type EventSourceLike,
  type EventSourceTransportOptions,
} from './eventSourceTransport.js';
export { socketIoTransport, type SocketIoTransportOptions } from './socketIoTransport.js';
export {
  webSocketTransport,
  type WebSocketConstructor,
  type WebSocketLike,
  type WebSocketTransportOptions,
} from './webSocketTransport.js';
export {
  StreamClient,
  type ClientStream,
  type ConnectionState,
  type StreamClientEvents,
  type StreamClientOptions,
  type StreamOptions,
} from './StreamClient.js';
export { requestSession, type SignedIn } from './requestSession.js';
