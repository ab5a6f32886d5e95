/**
 * @twohop/server — hop 1: serving streams to clients over socket.io, Server-Sent Events and plain WebSocket, with a
 * backpressure-aware sender per subscription (conflation while the transport cannot keep up), one request/reply
 * layer for every app's requests (strict schemas, budgets, strikes, reply backpressure), and graceful shutdown.
 */
export { Fanout, type FanoutOptions } from './Fanout.js';
export { SharedWindow, type SharedWindowOptions } from './SharedWindow.js';
export { gracefulShutdown, type Closeable, type GracefulShutdownOptions } from './gracefulShutdown.js';
export { IdentityBudgets, type IdentityBudgetsOptions } from './IdentityBudgets.js';
export { TokenBucket, defaultLimits, type ConnectionLimits } from './limits.js';
export type { OutboundTransport, TransportName } from './OutboundTransport.js';
export { Outbox, type OutboxOptions, type OutboxOwner } from './Outbox.js';
export {
  RequestGate,
  type ReplyCallback,
  type ReplyTransport,
  type RequestGateOptions,
  type RequestGateStats,
  type RequestLimits,
} from './RequestGate.js';
export {
  RequestError,
  RequestRouter,
  isRequestError,
  type BoundRequest,
  type BoundRequests,
  type RequestDefinition,
  type RequestErrorCode,
  type RequestFailure,
  type RequestReply,
} from './RequestRouter.js';
export {
  CLOSE_NOTICE_EVENT,
  attachSocketIoRequests,
  closeSocket,
  serveSocketIoRequests,
  socketIoReplyTransport,
  type SocketIoRequests,
  type SocketIoRequestsOptions,
} from './socketIoRequests.js';
export { FAULT_COST, InjectedStall, faultRequests, type FaultTarget } from './faultInjection.js';
export { encodeOnce } from './encodeOnce.js';
export {
  SOCKET_EVENTS,
  attachSocketIoStreams,
  type SocketIoStreams,
  type SocketIoStreamsOptions,
} from './socketIoStreams.js';
export { parseEventId, sseStreams, type SseStreams, type SseStreamsOptions } from './sseStreams.js';
export {
  StreamCatalog,
  type AnySource,
  type CatalogEntry,
  type Delivery,
  type StreamEntryOptions,
} from './StreamCatalog.js';
export {
  StreamConnection,
  errorAck,
  type ConnectionStats,
  type StreamConnectionOptions,
} from './StreamConnection.js';
export {
  attachWebSocketStreams,
  type WebSocketPeer,
  type WebSocketStreams,
  type WebSocketStreamsOptions,
} from './webSocketStreams.js';
export { EncodedFrame } from './webSocketOutput.js';
export { Subscription, type SubscriptionHost, type SubscriptionOptions } from './Subscription.js';
