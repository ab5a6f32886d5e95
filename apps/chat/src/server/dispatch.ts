import { TokenBucket } from '@twohop/server';
import type { Socket } from 'socket.io';
import { isChatError } from '../domain/errors.js';
import type { Reply, ReplyError } from '../domain/wire.js';
import type { ChatMetrics } from './chatMetrics.js';
import type { ChatContext, ChatRequest } from './requestTypes.js';
import { RateLimited } from './roomRequests.js';

const ABUSE_PER_SECOND = 10;
const ABUSE_BURST = 50;

/**
 * Serves the chat's requests on one connection: validates each against its schema, runs its handler, acks with the
 * reply or an error code; every refusal is a strike, and past the allowance the connection is closed with
 * `protocol_abuse`.
 */
export function serveRequests(
  socket: Socket,
  context: ChatContext,
  requests: Record<string, ChatRequest>,
  metrics: ChatMetrics,
  maxStrikes = ABUSE_BURST,
): void {
  const strikes = new TokenBucket(ABUSE_PER_SECOND, maxStrikes);
  const refuse = (error: ReplyError): Reply => {
    metrics.stream.rejectedRequests.inc({ code: error.code });
    if (!strikes.take() && socket.connected) {
      metrics.stream.rejectedRequests.inc({ code: 'protocol_abuse' });
      socket.emit('close-notice', {
        error: { code: 'protocol_abuse', message: 'too many refused requests' },
        reconnect: false,
      });
      socket.disconnect(true);
    }
    return { ok: false, error };
  };
  const handle = async (event: unknown, args: unknown[]) => {
    const callback = typeof args.at(-1) === 'function' ? (args.pop() as (reply: Reply) => void) : undefined;
    const definition =
      typeof event === 'string' && Object.hasOwn(requests, event) ? requests[event] : undefined;
    if (definition === undefined)
      return callback?.(refuse({ code: 'invalid_message', message: 'unknown event' }));
    const parsed = definition.schema.safeParse(args[0] ?? {});
    if (!parsed.success)
      return callback?.(
        refuse({ code: 'invalid_message', message: parsed.error.issues[0]?.message ?? 'malformed' }),
      );
    try {
      callback?.({ ok: true, ...(await definition.handle(parsed.data, context)) });
    } catch (error) {
      if (isChatError(error)) return callback?.(refuse({ code: error.code, message: error.message }));
      if (error instanceof RateLimited)
        return callback?.(
          refuse({ code: 'rate_limited', message: error.message, retryAfterMs: error.retryAfterMs }),
        );
      console.error('chat: request failed', event, error);
      callback?.(refuse({ code: 'internal', message: 'the request failed' }));
    }
  };
  socket.onAny((event: unknown, ...args: unknown[]) => void handle(event, args));
}
