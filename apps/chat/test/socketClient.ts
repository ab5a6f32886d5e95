import { io, type Socket } from 'socket.io-client';
import { requestSession, type SignedIn } from '@twohop/client';

/** A reply as the tests read it. */
export type TestReply = Record<string, unknown> & { ok: boolean; error?: { code: string; message: string } };

/** What {@link socketClients} gives a test. */
export interface SocketClients {
  connect(url: string, token: string): Promise<Socket>;
  user(url: string, name: string): Promise<Socket & { signed: SignedIn }>;
  request(socket: Socket, event: string, payload?: unknown): Promise<TestReply>;
  signIn(url: string, name: string): Promise<SignedIn>;
}

/** Raw socket.io clients for the protocol tests: each connection is closed by `cleanups`. */
export function socketClients(cleanups: Array<() => unknown>): SocketClients {
  const connect = async (url: string, token: string): Promise<Socket> => {
    const socket = io(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { token },
    });
    cleanups.push(() => socket.disconnect());
    await new Promise<void>((resolve, reject) =>
      socket.once('connect', () => resolve()).once('connect_error', reject),
    );
    return socket;
  };
  /** Signs in as `name` and connects. */
  const user = async (url: string, name: string) => {
    const signed = await requestSession(url, name);
    return Object.assign(await connect(url, signed.token), { signed });
  };
  const request = (socket: Socket, event: string, payload: unknown = {}) =>
    socket.timeout(5000).emitWithAck(event, payload) as Promise<TestReply>;
  return { connect, user, request, signIn: requestSession };
}
