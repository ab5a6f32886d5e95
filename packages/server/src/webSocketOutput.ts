import { webSocketCloseCode, type CloseNotice, type WebSocketCloseFrame } from '@twohop/protocol';
import WebSocket from 'ws';
import type { OutboundTransport } from './OutboundTransport.js';

/** A message ready for the wire: JSON text (encoded to UTF-8 once) or protobuf bytes, and its whole frame. */
export class EncodedFrame {
  #wire: Buffer | undefined;

  constructor(
    readonly data: Uint8Array,
    readonly binary: boolean,
  ) {}

  /** The complete WebSocket frame (RFC 6455 §5.2: final, unmasked), built once for every connection it goes to. */
  get wire(): Buffer {
    return (this.#wire ??= frameOf(this.data, this.binary));
  }
}

/** One final, unmasked WebSocket frame around `payload`: text (opcode 1) or binary (opcode 2). */
function frameOf(payload: Uint8Array, binary: boolean): Buffer {
  const length = payload.byteLength;
  const header = Buffer.alloc(length < 126 ? 2 : length < 65_536 ? 4 : 10);
  header[0] = 0x80 | (binary ? 2 : 1);
  if (length < 126) header[1] = length;
  else if (length < 65_536) {
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** What a frame is written to when `ws` is bypassed: the connection's TCP socket. */
interface TcpSocket {
  write(chunk: Uint8Array, callback?: () => void): boolean;
}

/** How long a deliberate close waits for the peer's closing handshake before the socket is cut. */
const CLOSE_GRACE_MS = 1000;

/**
 * One `ws` connection's output, as the stream sender and the request gate see it. A frame is written only while
 * the socket's `bufferedAmount` (bytes handed to `ws` and not yet flushed to the kernel) is under `highWaterBytes`;
 * above it the connection is unwritable and its subscriptions conflate, so the server's memory per connection is
 * bounded by the mark plus one frame, never by how much the client fails to read.
 *
 * `ws` has no `drain` event of its own. Each send that leaves the buffer at or over the mark carries a callback,
 * which `ws` calls once that frame is flushed; the last of them to fire finds the buffer under the mark (everything
 * written after it went out under the mark) and tells the listeners. Sends under the mark — the usual case — carry
 * none. This holds whether or not `ws` holds frames back for compression, which the socket's own `drain` would miss.
 *
 * Without compression, a frame is the same bytes for every connection, so it is framed once ({@link EncodedFrame})
 * and written straight to each connection's TCP socket: one `write` per subscriber, the least a server can do. That
 * is safe because `ws`, with no extension negotiated and no `Blob` ever sent, writes each of its own frames (pings,
 * the close frame) whole and synchronously, so frames never interleave, and `bufferedAmount` counts the socket's
 * buffer either way.
 */
export class WebSocketOutput implements Pick<OutboundTransport, 'bufferedBytes' | 'onDrain'> {
  readonly #socket: WebSocket;
  readonly #tcp: TcpSocket | undefined;
  readonly #highWaterBytes: number;
  /** Replaced, never grown in place; none until something first waits for a drain. */
  #listeners: readonly (() => void)[] = [];
  /** The flush callback, made the first time a send reaches the mark: a connection that keeps up never needs one. */
  #flushedOrUndefined: (() => void) | undefined;

  /** @param tcp the upgrade request's socket: frames are written to it directly when no extension is in use. */
  constructor(socket: WebSocket, tcp: TcpSocket, highWaterBytes: number) {
    this.#socket = socket;
    this.#tcp = socket.extensions === '' ? tcp : undefined;
    this.#highWaterBytes = highWaterBytes;
  }

  /** True while the socket is open and its unflushed bytes are under the mark. */
  canWrite(): boolean {
    return this.#socket.readyState === WebSocket.OPEN && this.#socket.bufferedAmount < this.#highWaterBytes;
  }

  bufferedBytes(): number {
    return this.#socket.bufferedAmount;
  }

  onDrain(listener: () => void): void {
    this.#listeners = [...this.#listeners, listener];
  }

  /** Tells the listeners the connection can take more, when something besides the socket held it (a stall). */
  drained(): void {
    this.#tellIfFlushed();
  }

  #tellIfFlushed(): void {
    if (this.#socket.bufferedAmount >= this.#highWaterBytes) return;
    for (const listener of this.#listeners) listener();
  }

  get #flushed(): () => void {
    return (this.#flushedOrUndefined ??= () => this.#tellIfFlushed());
  }

  /** Writes one frame; returns its size in bytes. */
  send(frame: EncodedFrame): number {
    const socket = this.#socket;
    if (socket.readyState !== WebSocket.OPEN) return 0;
    const bytes = frame.data.byteLength;
    // A frame's header is at most 14 bytes, so this knows before sending whether the frame reaches the mark.
    const underMark = socket.bufferedAmount + bytes + 14 < this.#highWaterBytes;
    const tcp = this.#tcp;
    if (tcp !== undefined) {
      if (underMark) tcp.write(frame.wire);
      else tcp.write(frame.wire, this.#flushed);
    } else if (underMark) socket.send(frame.data, { binary: frame.binary });
    else socket.send(frame.data, { binary: frame.binary }, this.#flushed);
    return bytes;
  }

  /** Sends a JSON text frame outside the stream sender (a reply, a close notice). */
  sendText(value: object): number {
    return this.send(new EncodedFrame(Buffer.from(JSON.stringify(value)), false));
  }

  /** Tells the client why (a `close` frame), then closes with the matching code; a stalled peer is cut after 1 s. */
  close(notice: CloseNotice): void {
    const socket = this.#socket;
    if (socket.readyState !== WebSocket.OPEN) return;
    const frame: WebSocketCloseFrame = { type: 'close', ...notice };
    this.sendText(frame);
    socket.close(webSocketCloseCode(notice.error.code), notice.error.code);
    const force = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
    force.unref();
  }
}
