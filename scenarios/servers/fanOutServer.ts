/**
 * The server side of the fan-out scenario, forked with an IPC channel so its RSS and CPU are its own.
 * `--mode ws` broadcasts with raw `ws` (the baseline: `send` per client), `floor` writes one prebuilt WebSocket frame
 * to each client's TCP socket (the least a server can do: one `write` per frame), `socketio` with `io.emit`,
 * `twohop` through @twohop/server's socket.io binding, `twohop-ws` through its plain-WebSocket binding.
 * Messages from the parent: `{ cmd: 'rss' }` → `{ rss, heap }` after a full GC (heap: V8's
 * used heap plus memory outside it, such as Buffers); `{ cmd: 'cpu' }` → `{ cpu }`, the
 * process's CPU time so far in µs (user + system); `{ cmd: 'publish', rate }` starts
 * publishing `rate` changes/s, each carrying its wall-clock publish time; `{ cmd: 'truth' }` → `{ truth: {published,
 * entries} }`, every change published so far and the key → value state they add up to, for the convergence check.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { answerCpu } from './ipc.js';
import { keyedState, StreamPublisher } from '@twohop/snapshot-delta';
import { attachSocketIoStreams, attachWebSocketStreams, EncodedFrame, StreamCatalog } from '@twohop/server';
import type { Socket } from 'node:net';
import { Server } from 'socket.io';
import { WebSocketServer } from 'ws';

const { values } = parseArgs({ options: { mode: { type: 'string', default: 'twohop' } } });
const now = () => performance.timeOrigin + performance.now();
const http = createServer();
let broadcast: (change: { key: string; value: number }) => void;

if (values.mode === 'ws') {
  const wss = new WebSocketServer({ server: http });
  let seq = 0;
  broadcast = (change) => {
    const text = JSON.stringify({ seq: ++seq, data: [change] });
    for (const client of wss.clients) client.send(text);
  };
} else if (values.mode === 'floor') {
  // The same clients as raw ws; the frame is built once and written to every TCP socket as it is.
  const wss = new WebSocketServer({ server: http });
  const sockets = new Set<Socket>();
  wss.on('connection', (_ws, request) => {
    sockets.add(request.socket);
    request.socket.once('close', () => sockets.delete(request.socket));
  });
  let seq = 0;
  broadcast = (change) => {
    // Framed as the plain-WebSocket binding frames it: once, the same bytes for every socket.
    const frame = new EncodedFrame(Buffer.from(JSON.stringify({ seq: ++seq, data: [change] })), false).wire;
    for (const socket of sockets) socket.write(frame);
  };
} else if (values.mode === 'socketio') {
  const io = new Server(http, { transports: ['websocket'] });
  let seq = 0;
  broadcast = (change) => io.emit('m', JSON.stringify({ seq: ++seq, data: [change] }));
} else {
  const publisher = new StreamPublisher({ stream: 'fan:OUT', model: keyedState<number>() });
  const catalog = new StreamCatalog().add(publisher);
  if (values.mode === 'twohop-ws') attachWebSocketStreams(http, { catalog, path: '/ws' });
  else attachSocketIoStreams(new Server(http, { transports: ['websocket'] }), { catalog });
  broadcast = (change) => publisher.publish([{ op: 'set', ...change }]);
}

let timer: NodeJS.Timeout | undefined;
let n = 0;
/** What every client should end up holding: each key's last value. */
const truth = new Map<string, number>();
answerCpu();
process.on('message', (message: { cmd: string; rate?: number }) => {
  if (message.cmd === 'rss') {
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed, external } = process.memoryUsage();
    process.send?.({ rss, heap: heapUsed + external });
  } else if (message.cmd === 'publish') {
    if (timer !== undefined) clearInterval(timer);
    // One change per tick, up to 200 keys, each value its publish time.
    timer = setInterval(
      () => {
        const change = { key: `k${n++ % 200}`, value: now() };
        truth.set(change.key, change.value);
        broadcast(change);
      },
      1000 / (message.rate ?? 10),
    );
  } else if (message.cmd === 'stop') {
    if (timer !== undefined) clearInterval(timer);
  } else if (message.cmd === 'truth') {
    process.send?.({ truth: { published: n, entries: [...truth] } });
  }
});
http.listen(0, '127.0.0.1', () => process.send?.({ port: (http.address() as AddressInfo).port }));
