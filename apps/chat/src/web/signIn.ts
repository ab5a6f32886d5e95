import type { SignedIn } from '@twohop/client';
import { rememberedIdentity as remembered } from '@twohop/vue';

/** The signed-in user as this browser remembers it: every tab of the same browser is the same user. */
export type Identity = SignedIn;

const identity = remembered('twohop.chat.identity');

/** The identity this browser keeps, if any. */
export const rememberedIdentity = identity.read;
/** Signs in by display name and remembers the identity for every tab of this browser. */
export const signIn = identity.signIn;
/** Keeps a refreshed identity (a new token and expiry) for the next visit. */
export const remember = identity.remember;
export const forget = identity.forget;
