/**
 * The server side of the fan-out scenario, forked with an IPC channel so its RSS and CPU are its own.
 * `--mode ws` broadcasts with raw `ws` (the baseline), `socketio` with `io.emit`, `twohop` through @twohop/server.
 * Messages from the parent: `{ cmd: 'rss' }` → `{ rss }` after a full GC; `{ cmd: 'publish', rate }` starts
 * publishing `rate` changes/s, each carrying its wall-clock publish time; `{ cmd: 'truth' }` → `{ truth: {published,
 * entries} }`, every change published so far and the key → value state they add up to, for the convergence check.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { keyedState, StreamPublisher } from '@twohop/snapshot-delta';
import { attachSocketIoStreams, StreamCatalog } from '@twohop/server';
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
} else if (values.mode === 'socketio') {
  const io = new Server(http, { transports: ['websocket'] });
  let seq = 0;
  broadcast = (change) => io.emit('m', JSON.stringify({ seq: ++seq, data: [change] }));
} else {
  const io = new Server(http, { transports: ['websocket'] });
  const publisher = new StreamPublisher({ stream: 'fan:OUT', model: keyedState<number>() });
  attachSocketIoStreams(io, { catalog: new StreamCatalog().add(publisher) });
  broadcast = (change) => publisher.publish([{ op: 'set', ...change }]);
}

let timer: NodeJS.Timeout | undefined;
let n = 0;
/** What every client should end up holding: each key's last value. */
const truth = new Map<string, number>();
process.on('message', (message: { cmd: string; rate?: number }) => {
  if (message.cmd === 'rss') {
    (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ rss: process.memoryUsage().rss });
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
