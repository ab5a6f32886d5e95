import express, { type Express } from 'express';
import { z } from 'zod';
import type { ResolvedChatOptions } from './options.js';
import { refreshed, signIn, verifySession } from './sessions.js';
import { IdentityBudgets } from '@twohop/server';
import type { ChatRequest } from './requestTypes.js';
import { request } from './requestTypes.js';

const displayName = z.string().trim().min(1).max(40);

/** Sends a JSON error with a stable code: every HTTP error of the chat, never HTML or a stack. */
const fail = (
  response: express.Response,
  status: number,
  code: string,
  message: string,
  retryAfterMs?: number,
) =>
  void response
    .status(status)
    .json({ error: { code, message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) } });

/**
 * Sign-in over HTTP: `POST /api/session {name}` → `{token, userId, name, expiresAt}`, limited per address
 * (`sessionsPerMinute`, `sessionBurst`: sessions are what every other budget is counted against, so they must not be
 * free). Malformed JSON and every other refusal answer JSON `{error: {code, message}}`.
 */
export function sessionRoutes(app: Express, options: ResolvedChatOptions): void {
  const perAddress = new IdentityBudgets({
    ratePerSecond: options.sessionsPerMinute / 60,
    burst: options.sessionBurst,
    clock: options.clock,
  });
  app.post('/api/session', express.json({ limit: '4kb' }), (req, response) => {
    const bucket = perAddress.of(req.socket.remoteAddress ?? 'unknown');
    if (!bucket.take())
      return fail(
        response,
        429,
        'rate_limited',
        'too many sign-ins from this address',
        Math.ceil(bucket.waitMs()),
      );
    const name = displayName.safeParse((req.body as { name?: unknown } | undefined)?.name);
    if (!name.success) return fail(response, 400, 'invalid_message', 'a display name is 1–40 characters');
    const { session, token } = signIn(name.data, options.secret, options.now() + options.sessionTtlMs);
    response.json({ token, userId: session.uid, name: session.name, expiresAt: session.exp });
  });
  // A body express.json could not parse (malformed JSON, too large): JSON with a code, never its HTML page.
  app.use('/api', ((error, _req, response, next) => {
    if (response.headersSent) return next(error);
    const { status, type } = error as { status?: number; type?: string };
    if (type === 'entity.too.large') return fail(response, 413, 'payload_too_large', 'the body is too large');
    if (status !== undefined && status >= 400 && status < 500)
      return fail(response, status, 'invalid_message', 'the body is not valid JSON');
    return fail(response, 500, 'internal', 'the request failed');
  }) as express.ErrorRequestHandler);
}

/**
 * `session:refresh {}` → `{token, expiresAt}`: the same session with a new expiry. A client refreshes past half its
 * token's life, so an open tab never sees its session expire; a token that did expire is refused at the next
 * connect (`unauthorized`), and the user signs in again.
 */
export function sessionRequests(options: ResolvedChatOptions): Record<string, ChatRequest> {
  return {
    'session:refresh': request({
      schema: z.strictObject({}),
      cost: 2,
      handle: async (_input, context) => {
        const next = refreshed(context.session, options.secret, options.now() + options.sessionTtlMs);
        context.session = next.session;
        return { token: next.token, expiresAt: next.session.exp };
      },
    }),
  };
}

export { verifySession };
