/**
 * The codes any request may be refused with, whatever the app: the shared request layer's validation, limits,
 * strikes and close notices (every app's requests go through it, streams or not). Apps add their own to these.
 */
export const REQUEST_ERROR_CODES = [
  /** The message did not match its schema (wrong types, missing fields, unknown event). */
  'invalid_message',
  /** The frame was larger than the server's payload limit. */
  'payload_too_large',
  /** The connection sent messages faster than its rate limit. */
  'rate_limited',
  /** The connection kept sending bad messages; it is being closed. */
  'protocol_abuse',
  /** The client read too slowly: stalled past the time limit or queued past the byte limit. Reconnect and resume. */
  'slow_consumer',
  /** The server is shutting down; reconnect (to another node) and resume. */
  'server_shutdown',
  /** The connection's credentials (a session token) were refused: missing, forged or expired. Sign in again. */
  'unauthorized',
  /** Something failed inside the server; the request may be retried. */
  'internal',
] as const;

/** The codes only stream requests (`subscribe`, `unsubscribe`, `resync`) are refused with. */
export const STREAM_ERROR_CODES = [
  /** No stream by that name, or the connection may not see it. */
  'unknown_stream',
  /** The connection already has as many subscriptions as allowed. */
  'too_many_subscriptions',
  /** `unsubscribe` or `resync` for a stream the connection is not subscribed to. */
  'not_subscribed',
] as const;

/**
 * Stable error codes a server sends in an error ack or before closing a connection. Clients switch on `code`;
 * `message` is for humans and may change. Listed, with their meaning, in docs/protocol.md ("Errors").
 */
export const ERROR_CODES = [...REQUEST_ERROR_CODES, ...STREAM_ERROR_CODES] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];
/** One of {@link REQUEST_ERROR_CODES}: what any app's request may be refused with. */
export type RequestLayerCode = (typeof REQUEST_ERROR_CODES)[number];

/** The error part of a failed ack or a close notice, as sent on the wire. */
export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
}

/** A typed protocol error: thrown inside servers and clients, sent as a {@link WireError}. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** The wire form. */
  toWire(): WireError {
    return { code: this.code, message: this.message };
  }
}

/** Whether `error` is a {@link ProtocolError} (optionally with a given code). */
export function isProtocolError(error: unknown, code?: ErrorCode): error is ProtocolError {
  return error instanceof ProtocolError && (code === undefined || error.code === code);
}

/** Whether `value` is one of the stable codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
