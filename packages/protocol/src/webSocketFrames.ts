import { z } from 'zod';
import type { WireError } from './errors.js';

/**
 * The frames of the stream protocol over a plain WebSocket (docs/protocol.md, "plain WebSocket"). Clients send JSON
 * text frames only; the server sends stream messages as JSON text (or protobuf binary frames on `?codec=protobuf`)
 * and its replies and close notices as JSON text, each with a `type` a client can switch on.
 */

/** A request id: chosen by the client, echoed in the reply. */
export const requestId = z.union([
  z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  z.string().min(1).max(64),
]);

/**
 * Client → server: `{"id": 1, "method": "subscribe", "params": {"stream": "book:BTC-USD"}}`. `params` is what the
 * method's own schema checks (missing means `{}`); `id` is echoed in the reply.
 */
export const webSocketRequest = z.strictObject({
  id: requestId,
  method: z.string().min(1).max(64),
  params: z.unknown().optional(),
});

export type RequestId = z.infer<typeof requestId>;
export type WebSocketRequest = z.infer<typeof webSocketRequest>;

/**
 * Server → client, once per request: `{"type": "reply", "id": 1, "reply": {"ok": true, "recovered": false}}`. `id`
 * is null when the frame it answers carried no usable id (it was not JSON, or not a request).
 */
export interface WebSocketReply {
  readonly type: 'reply';
  readonly id: RequestId | null;
  /** The request's reply, as socket.io's acknowledgement carries it: `{ok: true, ...fields}` or a refusal. */
  readonly reply:
    | { readonly ok: true }
    | {
        readonly ok: false;
        /** The protocol's codes, or the app's own (each app's docs list them). */
        readonly error: { readonly code: string; readonly message: string; readonly retryAfterMs?: number };
      };
}

/** Server → client, just before a deliberate close: `{"type": "close", "error": {code, message}, "reconnect"}`. */
export interface WebSocketCloseFrame {
  readonly type: 'close';
  readonly error: WireError;
  readonly reconnect: boolean;
}

/**
 * The WebSocket close code a deliberate close carries (RFC 6455 §7.4.1), beside the notice frame: 1001 "going away"
 * for a shutdown, 1008 "policy violation" for abuse, 1013 "try again later" for a slow consumer, 1011 otherwise.
 */
export function webSocketCloseCode(code: string): number {
  switch (code) {
    case 'server_shutdown':
      return 1001;
    case 'protocol_abuse':
      return 1008;
    case 'slow_consumer':
      return 1013;
    default:
      return 1011;
  }
}
