/** A signed-in user: the token for the socket.io handshake, the public user id, the display name, the expiry. */
export interface SignedIn {
  readonly token: string;
  readonly userId: string;
  readonly name: string;
  readonly expiresAt: number;
}

/** Signs in by display name at a twohop app server with users (app-kit's `signedSessions`) at `url` ('' for the page's own origin): `POST /api/session`. */
export async function requestSession(url: string, name: string): Promise<SignedIn> {
  const response = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const body = (await response.json()) as Partial<SignedIn> & { error?: { message: string } };
  if (!response.ok || body.token === undefined || body.userId === undefined) {
    throw new Error(body.error?.message ?? `sign-in failed (${response.status})`);
  }
  return { token: body.token, userId: body.userId, name: body.name ?? name, expiresAt: body.expiresAt ?? 0 };
}
