import { REQUEST_ERROR_CODES } from '@twohop/protocol';

/** The codes the chat's own rules raise (the room, the message, the membership). */
export const CHAT_RULE_CODES = [
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
] as const;

/** HTTP only: app-kit's answers for every app (`POST /api/session`, unknown paths, the UI). */
const HTTP_CODES = [
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
] as const;

/** Made by the client itself, never sent by the server. */
const CLIENT_CODES = [
  /** No answer within the client's ack timeout (the request may or may not have been applied). */
  'timeout',
  /** The client is not connected. */
  'offline',
] as const;

/**
 * Every error code the chat's wire can carry, as one typed union: its own rules' codes, the shared request layer's
 * (`REQUEST_ERROR_CODES` from @twohop/protocol: validation, limits, strikes, close notices — docs/protocol.md), the
 * HTTP ones and the client's own. Clients switch on `code`; `message` is for people and may change. Listed with
 * their meaning in docs/apps/chat.md ("Error codes"); a test keeps the two in step.
 */
export const CHAT_ERROR_CODES = [
  ...CHAT_RULE_CODES,
  ...REQUEST_ERROR_CODES,
  ...HTTP_CODES,
  ...CLIENT_CODES,
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
