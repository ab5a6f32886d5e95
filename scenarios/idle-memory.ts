/**
 * `pnpm scenario idle-memory [--clients 2000] [--top 12] [--smoke]`
 *
 * What an idle WebSocket connection holds in the server's memory: raw `ws` beside twohop's plain-WebSocket binding,
 * each server in a fresh process of its own (loopback, port 0, `--expose-gc`), its clients connecting from this
 * process and staying idle. twohop's are measured twice: connected, then subscribed to one stream (as the fan-out
 * clients are). A warm-up of 100 connections comes and goes first, so code compiled on first use is not counted.
 *
 * Two figures per connection, each (after − before) ÷ clients: the bytes of every object a heap snapshot holds (the
 * reliable one: it counts only what is reachable), and V8's used heap plus external memory after full GCs (what the
 * process pays, sweeping included). The snapshot diff also names the top retainers by constructor. Memory is
 * reported, never asserted; the one invariant is that every client connected and every subscribe was answered.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import type { CensusRow } from './servers/idleMemoryServer.js';
import { reply, sleep } from './servers/ipc.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '2000' },
    top: { type: 'string', default: '12' },
    /** A small, quick run: 50 clients. */
    smoke: { type: 'boolean', default: false },
  },
});
const clientCount = values.smoke ? 50 : Number(values.clients);
const top = Number(values.top);

/** Opens `count` WebSocket clients to `url`, a hundred at a time. */
async function connect(url: string, count: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let start = 0; start < count; start += 100) {
    const batch = Array.from({ length: Math.min(100, count - start) }, () => new WebSocket(url));
    await Promise.all(
      batch.map(
        (socket) => new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject)),
      ),
    );
    sockets.push(...batch);
  }
  return sockets;
}

/** Subscribes every socket to the server's one stream; resolves once every one was answered `ok`. */
async function subscribe(sockets: WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve, reject) => {
          socket.on('message', (data) => {
            const frame = JSON.parse(String(data)) as { type?: string; reply?: { ok: boolean } };
            if (frame.type !== 'reply') return;
            if (frame.reply?.ok === true) resolve();
            else reject(new Error(`subscribe refused: ${String(data)}`));
          });
          socket.send(JSON.stringify({ id: 1, method: 'subscribe', params: { stream: 'idle:MEM' } }));
        }),
    ),
  );
}

/** Both figures, sampled together: the heap snapshot's diff since the last sample, and the settled heap. */
async function sample(server: ChildProcess): Promise<{ census: CensusRow[]; total: number; heap: number }> {
  const { census, total } = await reply<{ census: CensusRow[]; total: number }>(server, 'census', {
    cmd: 'census',
  });
  const { heap } = await reply<{ heap: number }>(server, 'heap', { cmd: 'heap' });
  return { census, total, heap };
}

const kb = (bytes: number) => bytes / 1024 / clientCount;

function printTop(label: string, rows: CensusRow[]): void {
  console.log(`\n${label}: top retainers per connection (bytes, objects, snapshot type:constructor)`);
  for (const row of rows.slice(0, top)) {
    const bytes = (row.bytes / clientCount).toFixed(0).padStart(6);
    console.log(`${bytes} B ${(row.count / clientCount).toFixed(2).padStart(6)}×  ${row.name}`);
  }
}

interface Figures {
  /** KB per connection in the heap snapshot. */
  snapshot: number;
  /** KB per connection of used heap + external. */
  heap: number;
}

/** One server's figures: connected, and (twohop) subscribed. */
async function run(mode: 'ws' | 'twohop-ws'): Promise<{ connected: Figures; subscribed?: Figures }> {
  const script = fileURLToPath(new URL('./servers/idleMemoryServer.ts', import.meta.url));
  const server = fork(script, ['--mode', mode], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: 'inherit',
  });
  try {
    const { port } = await reply<{ port: number }>(server, 'port');
    const url = `ws://127.0.0.1:${port}/ws`;
    const warmUp = await connect(url, 100);
    if (mode === 'twohop-ws') await subscribe(warmUp);
    for (const socket of warmUp) socket.terminate();
    await sleep(300);
    const before = await sample(server);
    const sockets = await connect(url, clientCount);
    await sleep(300);
    const connected = await sample(server);
    printTop(`${mode}, connected`, connected.census);
    const figures = (from: typeof before, to: typeof before, total: number) => ({
      snapshot: kb(total),
      heap: kb(to.heap - from.heap),
    });
    const result: { connected: Figures; subscribed?: Figures } = {
      connected: figures(before, connected, connected.total),
    };
    if (mode === 'twohop-ws') {
      await subscribe(sockets);
      await sleep(300);
      const subscribed = await sample(server);
      printTop(`${mode}, subscribed (beyond connected)`, subscribed.census);
      result.subscribed = figures(before, subscribed, connected.total + subscribed.total);
    }
    for (const socket of sockets) socket.terminate();
    return result;
  } finally {
    server.kill();
  }
}

const ws = await run('ws');
const twohop = await run('twohop-ws');
const line = (label: string, figures: Figures) =>
  `| ${label} | ${figures.snapshot.toFixed(2)} KB (${(figures.snapshot / ws.connected.snapshot).toFixed(2)}×) | ` +
  `${figures.heap.toFixed(2)} KB (${(figures.heap / ws.connected.heap).toFixed(2)}×) |`;
console.log(`\nper idle connection, ${clientCount} clients (× = vs raw ws, same run):`);
console.log('| server | heap snapshot | used heap + external |');
console.log('|---|---:|---:|');
console.log(line('raw ws', ws.connected));
console.log(line('twohop-ws, connected', twohop.connected));
if (twohop.subscribed !== undefined) console.log(line('twohop-ws, subscribed', twohop.subscribed));
