import { request } from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import { io, type Socket } from 'socket.io-client';

/** A client whose reading can be stopped and started, to play a slow consumer. */
export interface StallableClient {
  /** Stops reading its TCP socket: the kernel buffers fill, then the server can no longer write. */
  stall(): void;
  /** Reads again. */
  resume(): void;
}

/**
 * The TCP socket under a socket.io-client connection on the websocket transport. engine.io-client and ws keep it
 * in fields they do not type; tests reach it here only, to pause reading the way a frozen client would.
 */
function tcpSocketOf(socket: Socket): NetSocket {
  const engine = socket.io.engine as unknown as { transport: { ws?: { _socket?: NetSocket } } };
  const tcp = engine.transport.ws?._socket;
  if (tcp === undefined) throw new Error('no TCP socket: connect with transports: ["websocket"] in Node');
  return tcp;
}

/** Makes a connected socket.io client stallable. */
export function stallable(socket: Socket): StallableClient {
  return {
    stall: () => tcpSocketOf(socket).pause(),
    resume: () => tcpSocketOf(socket).resume(),
  };
}

/** A raw socket.io client on the websocket transport, connected, ready to stall. */
export async function connectStallableSocket(
  url: string,
  query: Record<string, string> = {},
): Promise<Socket & StallableClient> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, query });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return Object.assign(socket, stallable(socket));
}

/** An SSE response being read as raw text, which can stop reading. */
export interface StallableEventStream extends StallableClient {
  /** Everything received so far. */
  readonly text: () => string;
  /** Resolves when the response ends. */
  readonly ended: Promise<void>;
  close(): void;
}

/** Opens an SSE stream with a plain HTTP request, so reading it can be paused at the TCP level. */
export function openStallableEventStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<StallableEventStream> {
  return new Promise((resolve, reject) => {
    let received = '';
    const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        received += chunk;
      });
      const ended = new Promise<void>((done) => {
        response.once('end', done);
        response.once('close', done);
      });
      resolve({
        text: () => received,
        ended,
        stall: () => {
          response.pause();
          response.socket.pause();
        },
        resume: () => {
          response.socket.resume();
          response.resume();
        },
        close: () => req.destroy(),
      });
    });
    req.once('error', reject);
    req.end();
  });
}
