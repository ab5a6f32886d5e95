import type { Socket } from 'socket.io';

/**
 * What socket.io does not expose about a connection's output, in one place: engine.io's per-socket write buffer
 * and the websocket's buffered bytes. Their types mark them private and there is no public accessor, but they are
 * what `emit` appends to and what `drain` empties; the fields have the same names and meaning across engine.io 4–6
 * and ws 7–8.
 */
interface EngineSocket {
  writeBuffer: readonly { data?: unknown }[];
  transport: EngineTransport;
  on(event: 'upgrade', listener: (transport: EngineTransport) => void): void;
}
interface EngineTransport {
  writable: boolean;
  /** The ws socket, on the websocket transport. */
  socket?: { bufferedAmount?: number };
  on(event: 'drain', listener: () => void): void;
}

const engineOf = (socket: Socket): EngineSocket => socket.conn as unknown as EngineSocket;

/** Packets emitted to `socket` that engine.io has not yet handed to the transport. */
export function writeBufferLength(socket: Socket): number {
  return engineOf(socket).writeBuffer.length;
}

/** Bytes emitted to `socket` and not yet flushed to the network: engine.io's write buffer plus the websocket's. */
export function bufferedBytes(socket: Socket): number {
  const engine = engineOf(socket);
  let bytes = engine.transport.socket?.bufferedAmount ?? 0;
  for (const packet of engine.writeBuffer) {
    const data = packet.data;
    if (typeof data === 'string') bytes += data.length;
    else if (data instanceof Uint8Array) bytes += data.byteLength;
  }
  return bytes;
}

/**
 * Calls `listener` each time the connection's transport has written everything it was given. engine.io's socket
 * emits its own `drain` only after flushing a non-empty write buffer, and the stream sender keeps that buffer
 * empty, so this listens to the transport — and to each new one after an upgrade (polling → websocket).
 */
export function onTransportDrain(socket: Socket, listener: () => void): void {
  const engine = engineOf(socket);
  engine.transport.on('drain', listener);
  engine.on('upgrade', (transport) => {
    transport.on('drain', listener);
    listener();
  });
}
