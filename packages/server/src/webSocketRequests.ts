import {
  describeIssues,
  requestId,
  webSocketRequest,
  type RequestId,
  type WebSocketReply,
} from '@twohop/protocol';
import type WebSocket from 'ws';
import type { RequestGate, ReplyCallback } from './RequestGate.js';
import type { WebSocketOutput } from './webSocketOutput.js';

/**
 * Feeds every frame `socket` receives into `gate` (docs/protocol.md, "plain WebSocket"): a JSON text frame
 * `{id, method, params?}` becomes request `method` with payload `params`, and its reply goes back as
 * `{type: 'reply', id, reply}`. A frame that is not such a request — binary, not JSON, a missing id or method, an
 * unknown key — is refused `invalid_message` (with the id when it had a usable one), a strike like any refusal.
 */
export function serveWebSocketRequests(
  socket: WebSocket,
  output: WebSocketOutput,
  gate: Pick<RequestGate, 'receive' | 'refuse'>,
): void {
  const replyTo =
    (id: RequestId | null): ReplyCallback =>
    (reply) => {
      const frame: WebSocketReply = { type: 'reply', id, reply };
      output.sendText(frame);
    };
  socket.on('message', (data, isBinary) => {
    if (isBinary) return gate.refuse('invalid_message', 'requests are JSON text frames', replyTo(null));
    let value: unknown;
    try {
      value = JSON.parse(String(data));
    } catch {
      return gate.refuse('invalid_message', 'a request is a JSON object {id, method, params}', replyTo(null));
    }
    const parsed = webSocketRequest.safeParse(value);
    if (!parsed.success) {
      const id = requestId.safeParse((value as { id?: unknown } | null)?.id);
      return gate.refuse(
        'invalid_message',
        describeIssues(parsed.error),
        replyTo(id.success ? id.data : null),
      );
    }
    gate.receive(parsed.data.method, parsed.data.params, replyTo(parsed.data.id));
  });
}
