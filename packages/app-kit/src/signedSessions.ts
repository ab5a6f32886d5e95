import { IdentityBudgets } from '@twohop/server';
import { systemClock, type Clock } from '@twohop/sequence';
import type { Router } from 'express';
import type { Server as SocketIoServer, Socket } from 'socket.io';
import { z } from 'zod';
import { HttpError } from './httpErrors.js';
import { refreshed, signIn, verifySession, type Session } from './sessions.js';

/** Options for {@link signedSessions}. */
export interface SignedSessionsOptions {
  /** Signs every token (HMAC-SHA256). Keep it for sessions to survive a restart. */
  secret: string;
  /** How long a token is valid; clients refresh it past half its life. @default 1 day */
  ttlMs?: number;
  /** Sign-ins one address may make per minute, sustained. @default 10 */
  perMinute?: number;
  /** …and in a burst. @default 20 */
  burst?: number;
  /** The budgets' timers. @default systemClock */
  clock?: Clock;
  /** The wall clock of expiries, ms since the epoch. @default Date.now */
  now?: () => number;
}

/** What {@link signedSessions} returns: the pieces an app wires into its server. */
export interface SignedSessions {
  /** `POST /api/session {name}` → `{token, userId, name, expiresAt}`, limited per address. */
  routes(routes: Router): void;
  /** Refuses a socket.io connection whose handshake `auth.token` is not a valid session (every connect and reconnect). */
  guard(io: SocketIoServer): void;
  /** The same session with a new expiry, and its token: what a `session:refresh` request answers. */
  refresh(session: Session): { session: Session; token: string };
}

const displayName = z.string().trim().min(1).max(40);

/** The session a guarded socket carries (set by {@link SignedSessions.guard}). */
export const sessionOf = (socket: Socket): Session => socket.data.session as Session;

/**
 * Signed sessions shared by the apps that have users: sign-in by display name over HTTP (limited per address, since
 * sessions are what every other budget is counted against), a token of `<base64url JSON>.<HMAC>` carried in the
 * socket.io handshake's `auth` and checked on every connect and reconnect, and refresh. A refused connection's error
 * carries `data: {code: 'unauthorized', reconnect: false}`, so the client signs in again instead of retrying.
 */
export function signedSessions(options: SignedSessionsOptions): SignedSessions {
  const ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
  const now = options.now ?? Date.now;
  const perAddress = new IdentityBudgets({
    ratePerSecond: (options.perMinute ?? 10) / 60,
    burst: options.burst ?? 20,
    clock: options.clock ?? systemClock,
  });
  return {
    routes(routes) {
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
        const { session, token } = signIn(name.data, options.secret, now() + ttlMs);
        response.json({ token, userId: session.uid, name: session.name, expiresAt: session.exp });
      });
    },
    guard(io) {
      io.use((socket, next) => {
        const auth = socket.handshake.auth as { token?: unknown };
        const session = verifySession(auth.token, options.secret, now());
        if (session === undefined) {
          const refused = new Error('unauthorized: sign in again') as Error & { data?: unknown };
          // Tells the client not to retry with this token (docs/protocol.md: a connect error's `data`).
          refused.data = { code: 'unauthorized', reconnect: false };
          return next(refused);
        }
        socket.data.session = session;
        next();
      });
    },
    refresh: (session) => refreshed(session, options.secret, now() + ttlMs),
  };
}
