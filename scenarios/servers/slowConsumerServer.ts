/**
 * The server side of the slow-consumer scenario, run as its own process so its RSS is its own:
 * `--mode twohop` serves the stream through @twohop/server; `--mode plain` emits every change to every socket
 * with `socket.emit`, as a socket.io app without backpressure does. Publishes `--rate` changes/s over 200 keys, each
 * value starting with its publish time (`<n>:<ms since the epoch>`, for a reading client's latency), and prints one
 * JSON line a second: `{ rss, writeBuffer, published }` — writeBuffer the longest engine.io write buffer of any socket.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { keyedState, StreamPublisher } from '@twohop/snapshot-delta';
import { attachSocketIoStreams, StreamCatalog } from '@twohop/server';
import { Server, type Socket } from 'socket.io';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'twohop' },
    rate: { type: 'string', default: '10000' },
    /** The padding of each value, in bytes. */
    'value-bytes': { type: 'string', default: '140' },
  },
});
const rate = Number(values.rate);
const publisher = new StreamPublisher({
  stream: 'levels:SLOW',
  model: keyedState<string>(),
  historyCapacity: 1024,
});
const http = createServer();
// socket.io's heartbeat would cut the stalled client after 45 s (25 s + 20 s) and hide what a longer stall costs;
// here it waits two minutes, so the whole stall is measured.
const io = new Server(http, { pingInterval: 25_000, pingTimeout: 120_000 });
const sockets = new Set<Socket>();

if (values.mode === 'twohop') {
  attachSocketIoStreams(io, {
    catalog: new StreamCatalog().add(publisher),
    limits: { maxStallMs: 3_600_000 },
  });
} else {
  io.on('connection', (socket) => {
    socket.on('subscribe', (_request: unknown, ack: (reply: unknown) => void) => {
      ack({ ok: true, recovered: false });
      socket.emit('m', JSON.stringify(publisher.snapshot()));
      sockets.add(socket);
    });
    socket.on('disconnect', () => sockets.delete(socket));
  });
  publisher.subscribe((event) => {
    const text = JSON.stringify(event);
    for (const socket of sockets) socket.emit('m', text);
  });
}
io.on('connection', (socket) => sockets.add(socket));

http.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (http.address() as AddressInfo).port }));
});

// 100 ticks a second, `rate / 100` changes each, values of `value-bytes` (~150 by default) over 200 keys.
const pad = 'x'.repeat(Number(values['value-bytes']));
let published = 0;
const perTick = Math.max(1, Math.round(rate / 100));
setInterval(() => {
  for (let i = 0; i < perTick; i++, published++) {
    const at = performance.timeOrigin + performance.now();
    publisher.publish([{ op: 'set', key: `level${published % 200}`, value: `${published}:${at}:${pad}` }]);
  }
}, 10);

// With --expose-gc, a full collection before each sample: RSS then reflects what is held, not when V8 last
// got round to collecting at this allocation rate.
const gc = (globalThis as { gc?: () => void }).gc;
setInterval(() => {
  gc?.();
  let writeBuffer = 0;
  for (const socket of sockets) {
    const queued = (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
    writeBuffer = Math.max(writeBuffer, queued);
  }
  console.log(JSON.stringify({ rss: process.memoryUsage().rss, writeBuffer, published }));
}, 1000);

process.on('SIGTERM', () => process.exit(0));
