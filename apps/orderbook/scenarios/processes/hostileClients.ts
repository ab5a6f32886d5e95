/**
 * The order book's attackers, in a process of their own, each phase on the parent's command:
 * - `generated`: fast-check inputs shaped per event, each awaited for its reply; a fresh connection every 20 inputs
 *   so most stay inside one connection's budget and reach the handlers;
 * - `flood`: requests fired without waiting (valid resyncs, stalls, or subscribes to unknown streams) from several
 *   connections, each replaced when the server closes it;
 * - `stall` … `stall-end`: a client subscribed to every full-depth book stops reading and keeps asking for snapshots.
 * Each phase answers with the replies it saw, by code.
 */
import { parseArgs } from 'node:util';
import { ERROR_CODES, type CloseNotice } from '@twohop/protocol';
import { connectStallableSocket } from '@twohop/testkit/node';
import { io, type Socket } from 'socket.io-client';
import { sleep } from '@twohop/scenarios';
import { STREAMS, hostileInputs } from './hostileInputs.js';

const { values } = parseArgs({ options: { url: { type: 'string' } } });
const url = values.url as string;
const INPUTS_PER_CONNECTION = 20;

type Counts = Record<string, number>;
const count = (counts: Counts, key: string, by = 1) => (counts[key] = (counts[key] ?? 0) + by);

async function connect(): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  // Snapshots and deltas for what it subscribed to are read and dropped.
  return socket;
}

/** Sends every input, awaiting each reply; `undocumented` counts replies whose code is not in the protocol's list. */
async function generated(total: number, seed: number, workers = 4) {
  const inputs = hostileInputs(total, seed);
  const codes: Counts = {};
  let next = 0;
  let unanswered = 0;
  let undocumented = 0;
  const worker = async () => {
    let socket: Socket | undefined;
    let used = 0;
    while (next < inputs.length) {
      const input = inputs[next++] as (typeof inputs)[number];
      if (socket === undefined || !socket.connected || used >= INPUTS_PER_CONNECTION) {
        socket?.disconnect();
        socket = await connect();
        used = 0;
      }
      used++;
      try {
        const reply = (await socket.timeout(5000).emitWithAck(input.event, input.payload)) as {
          ok?: unknown;
          error?: { code?: unknown };
        };
        const code = reply.ok === true ? 'ok' : String(reply.error?.code);
        if (code !== 'ok' && !(ERROR_CODES as readonly string[]).includes(code)) undocumented++;
        count(codes, code);
      } catch {
        // Only a connection closed for abuse may leave a request unanswered: the request after its last refusal.
        if (socket.connected) unanswered++;
        else count(codes, 'closed before the reply');
      }
    }
    socket?.disconnect();
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return { inputs: inputs.length, codes, unanswered, undocumented };
}

const floods: Record<string, () => [string, unknown]> = {
  requests: () => ['resync', { stream: 'book:BTC-USD' }],
  faults: () => ['fault', { kind: 'stall', ms: 10_000 }],
  'unknown streams': () => ['subscribe', { stream: `book:NOPE-${Math.floor(Math.random() * 1e6)}` }],
};

/**
 * Fires `total` requests of one kind from `connections` sockets, in bursts of 100, for at least `seconds`; a
 * closed socket is replaced.
 */
async function flood(kind: string, total: number, seconds: number, connections = 4) {
  const until = performance.now() + seconds * 1000;
  const make = floods[kind] as () => [string, unknown];
  const codes: Counts = {};
  const closes: Counts = {};
  let sent = 0;
  let maxRefusedPerConnection = 0;
  const worker = async () => {
    while (sent < total || performance.now() < until) {
      const socket = await connect();
      if (kind === 'requests') await socket.emitWithAck('subscribe', { stream: 'book:BTC-USD' });
      socket.on('close-notice', (notice: CloseNotice) => count(closes, notice.error.code));
      // A burst, then wait for the server's answer to it: the close, or every reply.
      let answered = 0;
      let refused = 0;
      const burst = 100;
      for (let i = 0; i < burst; i++) {
        const [event, payload] = make();
        sent++;
        socket.emit(event, payload, (reply: { ok: boolean; error?: { code: string } }) => {
          answered++;
          if (!reply.ok) refused++;
          count(codes, reply.ok ? 'ok' : (reply.error?.code ?? 'no code'));
        });
      }
      for (let waited = 0; socket.connected && answered < burst && waited < 10_000; waited += 20)
        await sleep(20);
      socket.disconnect();
      maxRefusedPerConnection = Math.max(maxRefusedPerConnection, refused);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return { sent, codes, closes, maxRefusedPerConnection };
}

/**
 * A reader that stops reading, subscribed to every full-depth book, asking for a snapshot `perSecond` times a second
 * until the returned function is called; then it reads again and reports how it ended.
 */
async function startStall(perSecond: number) {
  const socket = await connectStallableSocket(url);
  let notice: CloseNotice | undefined;
  socket.on('close-notice', (received: CloseNotice) => (notice = received));
  const books = STREAMS.filter((stream) => stream.startsWith('book:') && !stream.includes('/'));
  for (const stream of books) await socket.emitWithAck('subscribe', { stream });
  socket.stall();
  let sent = 0;
  let stalled = true;
  const sending = (async () => {
    for (let tick = 0; stalled && socket.connected; tick++) {
      socket.emit('resync', { stream: books[tick % books.length] }, () => {});
      sent++;
      await sleep(1000 / perSecond);
    }
  })();
  return async () => {
    stalled = false;
    await sending;
    socket.resume();
    await sleep(1500);
    const result = { sent, closedWith: notice?.error.code ?? (socket.connected ? 'open' : 'closed') };
    socket.disconnect();
    return result;
  };
}
let stopStall: (() => Promise<{ sent: number; closedWith: string }>) | undefined;

interface Command {
  cmd: 'generated' | 'flood' | 'stall' | 'stall-end';
  total?: number;
  seed?: number;
  kind?: string;
  seconds?: number;
  perSecond?: number;
}
process.on('message', (message: Command) => {
  const run = async () => {
    switch (message.cmd) {
      case 'generated':
        return { generated: await generated(message.total ?? 0, message.seed ?? 1) };
      case 'flood':
        return { flood: await flood(message.kind as string, message.total ?? 0, message.seconds ?? 0) };
      case 'stall':
        stopStall = await startStall(message.perSecond ?? 10);
        return { stalling: true };
      case 'stall-end':
        return { stall: await stopStall?.() };
    }
  };
  void run().then((result) => process.send?.(result));
});
process.send?.({ ready: true });
