import { stallable } from '@twohop/testkit/node';
import type { Server as SocketIoServer } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import type { StalledReader } from './AppAdapter.js';
import { heldBytes } from './serverEdge.js';

/**
 * A raw socket.io client of an app under test: WebSocket only, its own connection, no reconnection (a property
 * that wants one reconnects itself), signed in when given a token. Resolves once connected.
 */
export async function connectRaw(url: string, token?: string): Promise<Socket> {
  const socket = io(url, {
    ...(token === undefined ? {} : { auth: { token } }),
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

/** What {@link signedStalledReader} needs of an app whose requests take a session (the chat, the auction). */
export interface SignedReaderSpec {
  /** The app's socket.io server, to find the reader's server-side socket by its token. */
  readonly io: SocketIoServer;
  readonly url: string;
  readonly token: string;
  /** Runs once connected, before reading starts (joining a room, …). */
  prepare?(socket: Socket): Promise<unknown>;
  /** Sends one large-reply request, calling `replied` when its reply arrives. */
  request(socket: Socket, replied: () => void): void;
  /** The most the server may hold for the connection: its reply high-water mark plus the reply that crossed it. */
  readonly bound: number;
}

/** A signed-in reader that sends requests without waiting for replies and can stop reading its socket. */
export async function signedStalledReader(spec: SignedReaderSpec): Promise<StalledReader> {
  const socket = await connectRaw(spec.url, spec.token);
  await spec.prepare?.(socket);
  const tcp = stallable(socket);
  let replies = 0;
  let sent = 0;
  let closed = false;
  socket.on('disconnect', () => (closed = true));
  const serverSide = () =>
    [...spec.io.of('/').sockets.values()].find(
      (candidate) => (candidate.handshake.auth as { token?: unknown }).token === spec.token,
    );
  return {
    stall: tcp.stall,
    resume: tcp.resume,
    send: () => {
      sent++;
      spec.request(socket, () => replies++);
    },
    sent: () => sent,
    replies: () => replies,
    serverBuffered: () => heldBytes(serverSide()),
    bound: spec.bound,
    closed: () => closed,
    close: () => socket.disconnect(),
  };
}
