import { requestSession, type SignedIn } from '@twohop/client';

/** The signed-in user as this browser remembers it: every tab of the same browser is the same user. */
export type Identity = SignedIn;

const KEY = 'twohop.chat.identity';

export function rememberedIdentity(): Identity | undefined {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Identity | null;
    return stored !== null && typeof stored.token === 'string' ? stored : undefined;
  } catch {
    return undefined;
  }
}

/** Signs in by display name and remembers the identity for every tab of this browser. */
export async function signIn(name: string): Promise<Identity> {
  const identity = await requestSession('', name);
  localStorage.setItem(KEY, JSON.stringify(identity));
  return identity;
}

/** Keeps a refreshed identity (a new token and expiry) for the next visit. */
export function remember(identity: Identity): void {
  localStorage.setItem(KEY, JSON.stringify(identity));
}

export function forget(): void {
  localStorage.removeItem(KEY);
}
