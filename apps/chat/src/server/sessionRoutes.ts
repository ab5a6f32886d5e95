import type { SignedSessions } from '@twohop/app-kit';
import { z } from 'zod';
import { request, type ChatRequest } from './requestTypes.js';

/**
 * `session:refresh {}` → `{token, expiresAt}`: the same session with a new expiry. A client refreshes past half its
 * token's life, so an open tab never sees its session expire; a token that did expire is refused at the next
 * connect (`unauthorized`), and the user signs in again.
 */
export function sessionRequests(sessions: SignedSessions): Record<string, ChatRequest> {
  return {
    'session:refresh': request({
      schema: z.strictObject({}),
      cost: 2,
      handle: async (_input, context) => {
        const next = sessions.refresh(context.session);
        context.session = next.session;
        return { token: next.token, expiresAt: next.session.exp };
      },
    }),
  };
}
