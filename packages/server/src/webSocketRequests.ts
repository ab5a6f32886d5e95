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
  socket.on('message', (data, isBinary) => {
    if (isBinary)
      return gate.refuse('invalid_message', 'requests are JSON text frames', replyOver(output, null));
    let value: unknown;
    try {
      value = JSON.parse(String(data));
    } catch {
      return gate.refuse(
        'invalid_message',
        'a request is a JSON object {id, method, params}',
        replyOver(output, null),
      );
    }
    const parsed = webSocketRequest.safeParse(value);
    if (!parsed.success) {
      const id = requestId.safeParse((value as { id?: unknown } | null)?.id);
      return gate.refuse(
        'invalid_message',
        describeIssues(parsed.error),
        replyOver(output, id.success ? id.data : null),
      );
    }
    gate.receive(parsed.data.method, parsed.data.params, replyOver(output, parsed.data.id));
  });
}

/** Sends the reply to request `id` as a `reply` frame. Made per request, so an idle connection holds none. */
function replyOver(output: WebSocketOutput, id: RequestId | null): ReplyCallback {
  return (reply) => {
    const frame: WebSocketReply = { type: 'reply', id, reply };
    output.sendText(frame);
  };
}
