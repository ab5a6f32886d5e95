/**
 * @twohop/protocol — the wire contract of docs/protocol.md: message types, schemas for everything a client may
 * send, stable error codes, JSON and protobuf codecs, and CRC32 checksums. Runs in Node and the browser.
 */
export { crc32 } from './crc32.js';
export {
  ERROR_CODES,
  ProtocolError,
  REQUEST_ERROR_CODES,
  STREAM_ERROR_CODES,
  isErrorCode,
  isProtocolError,
  type ErrorCode,
  type RequestLayerCode,
  type WireError,
} from './errors.js';
export { jsonCodec, serverMessage, type Codec } from './jsonCodec.js';
export type {
  Ack,
  BatchMessage,
  Checksum,
  CloseNotice,
  DeltaMessage,
  ErrorAck,
  HeartbeatMessage,
  ServerMessage,
  SnapshotMessage,
  SubscribeAck,
} from './messages.js';
export { jsonPayload, protobufCodec, type PayloadCodec, type PayloadResolver } from './protobufCodec.js';
export {
  RESERVED_KEYS,
  clientRequests,
  describeIssues,
  isClientEvent,
  resumePosition,
  resyncRequest,
  streamName,
  subscribeOptions,
  subscribeRequest,
  unsubscribeRequest,
  type ClientEvent,
  type ResumePosition,
  type ResyncRequest,
  type SubscribeOptions,
  type SubscribeRequest,
  type UnsubscribeRequest,
} from './schemas.js';
export {
  requestId,
  webSocketCloseCode,
  webSocketRequest,
  type RequestId,
  type WebSocketCloseFrame,
  type WebSocketReply,
  type WebSocketRequest,
} from './webSocketFrames.js';
