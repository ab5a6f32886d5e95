/**
 * Every error code the chat's wire can carry, as one typed union. Clients switch on `code`; `message` is for people
 * and may change. Listed with their meaning in docs/apps/chat.md ("Error codes"); a test keeps the two in step.
 */
export const CHAT_ERROR_CODES = [
  // Refused by the chat's own rules (the room, the message, the membership).
  /** The text is empty, longer than 4,000 characters, or not well-formed UTF-16 (a lone surrogate). */
  'invalid_text',
  /** No room by that name. */
  'unknown_room',
  /** No message at that seq, or it was deleted. */
  'unknown_message',
  /** Only a message's sender may edit or delete it. */
  'not_owner',
  /** The request needs membership of the room (join it first), or the room open on this connection. */
  'not_member',
  /** A room by that name exists already. */
  'room_exists',
  /** The user is in as many rooms as allowed. */
  'room_limit',
  // Refused by the shared request layer (every app's: docs/protocol.md).
  /** Malformed: unknown event, wrong types, missing or unknown fields. */
  'invalid_message',
  /** The frame was larger than the payload limit. */
  'payload_too_large',
  /** Over the connection's or the user's budget: wait `retryAfterMs`. */
  'rate_limited',
  /** Too many refused requests: the connection is being closed (on `close-notice`). */
  'protocol_abuse',
  /** The connection did not read its replies: it is being closed (on `close-notice`). */
  'slow_consumer',
  /** The server is shutting down: reconnect (on `close-notice`). */
  'server_shutdown',
  /** The session token is missing, forged or expired: sign in again. */
  'unauthorized',
  /** Something failed inside the server; the request may be retried. */
  'internal',
  // HTTP only: app-kit's answers for every app (`POST /api/session`, unknown paths, the UI).
  /** The request body is not valid JSON. */
  'invalid_json',
  /** An unsupported content encoding or charset. */
  'unsupported_media_type',
  /** Another malformed HTTP request. */
  'bad_request',
  /** No such path. */
  'not_found',
  /** The UI has not been built yet (`pnpm build`). */
  'ui_not_built',
  // Made by the client itself, never sent by the server.
  /** No answer within the client's ack timeout (the request may or may not have been applied). */
  'timeout',
  /** The client is not connected. */
  'offline',
] as const;

/** One of {@link CHAT_ERROR_CODES}. */
export type ChatErrorCode = (typeof CHAT_ERROR_CODES)[number];

/** The codes the chat's rules raise (the rest come from the request layer or the client). */
export type ChatRuleCode = Extract<
  ChatErrorCode,
  | 'invalid_text'
  | 'invalid_message'
  | 'unknown_room'
  | 'unknown_message'
  | 'not_owner'
  | 'not_member'
  | 'room_exists'
  | 'room_limit'
>;

/** A refusal by the chat's rules: the store and the rooms are unchanged. */
export class ChatError extends Error {
  override readonly name = 'ChatError';

  constructor(
    readonly code: ChatRuleCode,
    message: string,
  ) {
    super(message);
  }
}

/** Whether `error` is a {@link ChatError} (optionally with a given code). */
export function isChatError(error: unknown, code?: ChatRuleCode): error is ChatError {
  return error instanceof ChatError && (code === undefined || error.code === code);
}

/** Whether `value` is one of the chat's error codes. */
export function isChatErrorCode(value: unknown): value is ChatErrorCode {
  return typeof value === 'string' && (CHAT_ERROR_CODES as readonly string[]).includes(value);
}
