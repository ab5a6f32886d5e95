/** The signed-in user as this browser remembers it: every tab of the same browser is the same user. */
export interface Identity {
  token: string;
  userId: string;
  name: string;
}

const KEY = 'twohop.chat.identity';

export function rememberedIdentity(): Identity | undefined {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Identity | null;
    return stored !== null && typeof stored.token === 'string' ? stored : undefined;
  } catch {
    return undefined;
  }
}

/** Signs in by display name: the server answers with a signed session token. */
export async function signIn(name: string): Promise<Identity> {
  const response = await fetch('/api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const body = (await response.json()) as Partial<Identity> & { error?: { message: string } };
  if (!response.ok || body.token === undefined || body.userId === undefined) {
    throw new Error(body.error?.message ?? `sign-in failed (${response.status})`);
  }
  const identity = { token: body.token, userId: body.userId, name: body.name ?? name };
  localStorage.setItem(KEY, JSON.stringify(identity));
  return identity;
}

export function forget(): void {
  localStorage.removeItem(KEY);
}
