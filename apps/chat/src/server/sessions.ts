import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/** Who a connection is: a public user id others see, a private session id, and a display name. */
export interface Session {
  /** Private: identifies this sign-in; never sent to other users. */
  readonly sid: string;
  /** Public: the same for every tab of the user's. */
  readonly uid: string;
  readonly name: string;
}

const encode = (text: string) => Buffer.from(text).toString('base64url');
const signature = (payload: string, secret: string) =>
  createHmac('sha256', secret).update(payload).digest('base64url');

/** A new session for a display name, and its token: `<base64url JSON>.<HMAC-SHA256>`. */
export function signIn(
  name: string,
  secret: string,
  uid: string = randomUUID(),
): { session: Session; token: string } {
  const session: Session = { sid: randomUUID(), uid, name };
  const payload = encode(JSON.stringify(session));
  return { session, token: `${payload}.${signature(payload, secret)}` };
}

/** The session a token carries, or undefined when it is malformed or its signature does not match. */
export function verifySession(token: unknown, secret: string): Session | undefined {
  if (typeof token !== 'string' || token.length > 1024) return undefined;
  const [payload, mac, extra] = token.split('.');
  if (payload === undefined || mac === undefined || extra !== undefined) return undefined;
  const expected = Buffer.from(signature(payload, secret));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const session = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Session;
    return typeof session.uid === 'string' &&
      typeof session.sid === 'string' &&
      typeof session.name === 'string'
      ? session
      : undefined;
  } catch {
    return undefined;
  }
}
