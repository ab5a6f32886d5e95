import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/** Who a connection is: a public user id others see, a private session id, a display name, and an expiry. */
export interface Session {
  /** Private: identifies this sign-in; never sent to other users. */
  readonly sid: string;
  /** Public: the same for every tab of the user's. */
  readonly uid: string;
  readonly name: string;
  /** When the token stops being accepted, ms since the epoch. */
  readonly exp: number;
}

const encode = (text: string) => Buffer.from(text).toString('base64url');
const signature = (payload: string, secret: string) =>
  createHmac('sha256', secret).update(payload).digest('base64url');

/** The token of a session: `<base64url JSON>.<HMAC-SHA256>`. */
export function tokenOf(session: Session, secret: string): string {
  const payload = encode(JSON.stringify(session));
  return `${payload}.${signature(payload, secret)}`;
}

/** A new session for a display name, valid until `exp`, and its token. */
export function signIn(name: string, secret: string, exp: number): { session: Session; token: string } {
  const session: Session = { sid: randomUUID(), uid: randomUUID(), name, exp };
  return { session, token: tokenOf(session, secret) };
}

/** The same session with a later expiry: what `session:refresh` hands back. */
export function refreshed(
  session: Session,
  secret: string,
  exp: number,
): { session: Session; token: string } {
  const next = { ...session, exp };
  return { session: next, token: tokenOf(next, secret) };
}

/**
 * The session a token carries, or undefined when it is malformed, its signature does not match, or it expired
 * (at `now`, ms since the epoch).
 */
export function verifySession(token: unknown, secret: string, now: number): Session | undefined {
  if (typeof token !== 'string' || token.length > 1024) return undefined;
  const [payload, mac, extra] = token.split('.');
  if (payload === undefined || mac === undefined || extra !== undefined) return undefined;
  const expected = Buffer.from(signature(payload, secret));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const session = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Partial<Session>;
    const { uid, sid, name, exp } = session;
    if (typeof uid !== 'string' || typeof sid !== 'string' || typeof name !== 'string') return undefined;
    if (typeof exp !== 'number' || !(exp > now)) return undefined;
    return { uid, sid, name, exp };
  } catch {
    return undefined;
  }
}
