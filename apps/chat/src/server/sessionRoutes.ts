import { HttpError } from '@twohop/app-kit';
import { IdentityBudgets } from '@twohop/server';
import type { Router } from 'express';
import { z } from 'zod';
import type { ResolvedChatOptions } from './options.js';
import { request, type ChatRequest } from './requestTypes.js';
import { refreshed, signIn, verifySession } from './sessions.js';

const displayName = z.string().trim().min(1).max(40);

/**
 * Sign-in over HTTP: `POST /api/session {name}` → `{token, userId, name, expiresAt}`, limited per address
 * (`sessionsPerMinute`, `sessionBurst`: sessions are what every other budget is counted against, so they must not be
 * free). A malformed or oversized body is app-kit's JSON error (`invalid_json`, `payload_too_large`); every refusal
 * here is JSON `{error: {code, message}}` too.
 */
export function sessionRoutes(routes: Router, options: ResolvedChatOptions): void {
  const perAddress = new IdentityBudgets({
    ratePerSecond: options.sessionsPerMinute / 60,
    burst: options.sessionBurst,
    clock: options.clock,
  });
  routes.post('/api/session', (req, response) => {
    const bucket = perAddress.of(req.socket.remoteAddress ?? 'unknown');
    if (!bucket.take()) {
      const error = { code: 'rate_limited', message: 'too many sign-ins from this address' };
      return void response
        .status(429)
        .json({ error: { ...error, retryAfterMs: Math.ceil(bucket.waitMs()) } });
    }
    const name = displayName.safeParse((req.body as { name?: unknown } | undefined)?.name);
    if (!name.success) throw new HttpError(400, 'invalid_message', 'a display name is 1–40 characters');
    const { session, token } = signIn(name.data, options.secret, options.now() + options.sessionTtlMs);
    response.json({ token, userId: session.uid, name: session.name, expiresAt: session.exp });
  });
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
