import { requestSession, type SignedIn } from '@twohop/client';

/** A signed-in user kept in this browser's localStorage, shared by every tab of the same browser. */
export interface RememberedIdentity {
  /** The identity kept, if any and not expired. */
  read(): SignedIn | undefined;
  /** Signs in by display name at the page's own server (`POST /api/session`) and keeps the identity. */
  signIn(name: string): Promise<SignedIn>;
  /** Keeps a refreshed identity (a new token and expiry) for the next visit. */
  remember(identity: SignedIn): void;
  forget(): void;
}

/**
 * The signed-in user of an app with signed sessions (app-kit's `signedSessions`), remembered under `key`, so every
 * tab of a browser is the same user and a reload stays signed in.
 */
export function rememberedIdentity(key: string, now: () => number = Date.now): RememberedIdentity {
  const remember = (identity: SignedIn) => localStorage.setItem(key, JSON.stringify(identity));
  return {
    read() {
      try {
        const stored = JSON.parse(localStorage.getItem(key) ?? 'null') as SignedIn | null;
        const valid = stored !== null && typeof stored.token === 'string';
        return valid && !(stored.expiresAt > 0 && stored.expiresAt <= now()) ? stored : undefined;
      } catch {
        return undefined;
      }
    },
    async signIn(name) {
      const identity = await requestSession('', name);
      remember(identity);
      return identity;
    },
    remember,
    forget: () => localStorage.removeItem(key),
  };
}
