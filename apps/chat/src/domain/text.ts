import { ChatError } from './errors.js';
import { MAX_CLIENT_ID, MAX_TEXT, ROOM_NAME } from './wire.js';

/** A lone surrogate: a high one not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether `text` can be stored and served verbatim: 1–{@link MAX_TEXT} UTF-16 code units, well-formed (no lone
 * surrogate, which UTF-8 storage would silently turn into U+FFFD — live and catch-up viewers would then disagree).
 */
export function isValidText(text: string): boolean {
  return text.length > 0 && text.length <= MAX_TEXT && !LONE_SURROGATE.test(text);
}

/** Throws `invalid_text` unless {@link isValidText}. */
export function requireValidText(text: string): void {
  if (!isValidText(text))
    throw new ChatError('invalid_text', `a message is 1–${MAX_TEXT} characters of well-formed text`);
}

/** Whether `id` can be a client message id: 1–{@link MAX_CLIENT_ID} characters. */
export function isValidClientId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_CLIENT_ID;
}

/** Whether `name` can be a room's name: 1–64 letters, digits, `_` or `-`. */
export function isValidRoomName(name: string): boolean {
  return ROOM_NAME.test(name);
}
