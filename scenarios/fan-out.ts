/**
 * `pnpm scenario fan-out [--clients 1000] [--seconds 15] [--rates 10,100] [--write]`
 *
 * `clients` subscribers on one stream; the server publishes `rate` changes/s, each carrying its publish time, and
 * every client records publish-to-receive latency in an HDR histogram. Three servers in one run, each in its own
 * process: raw `ws` broadcast (the baseline), plain socket.io `io.emit`, and twohop (a subscription per client
 * with its backpressure-aware sender, clients keeping a Replica each). Also reports the server's RSS per idle
 * connection. The clients share this process and do the same work per frame (a JSON.parse; twohop's also apply it
 * to a Replica), so client-side costs weigh on every server alike.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LatencyRecorder, type LatencySummary } from '@twohop/metrics';
import type { DeltaMessage, ServerMessage } from '@twohop/protocol';
import { keyedState, Replica, type KeyedChange } from '@twohop/snapshot-delta';
import { machine, writeBenchmarkSection } from '@twohop/testkit';
import { io } from 'socket.io-client';
import WebSocket from 'ws';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '15' },
    rates: { type: 'string', default: '10,100' },
    write: { type: 'boolean', default: false },
  },
});
const clientCount = Number(values.clients);
const seconds = Number(values.seconds);
const rates = values.rates.split(',').map(Number);
const now = () => performance.timeOrigin + performance.now();
type Mode = 'ws' | 'socketio' | 'twohop';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function request<T>(child: ChildProcess, message: object, key: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (reply: Record<string, unknown>) => {
      if (key in reply) {
        child.off('message', onMessage);
        resolve(reply[key] as T);
      }
    };
    child.on('message', onMessage);
    if (Object.keys(message).length > 0) child.send(message);
  });
}

/** Connects one client of `mode`; every change it receives is recorded. Returns a closer. */
async function connectClient(mode: Mode, url: string, latency: { recorder: LatencyRecorder | undefined }) {
  const record = (changes: readonly { value?: unknown }[]) => {
    const received = now();
    for (const change of changes)
      if (typeof change.value === 'number') latency.recorder?.record(received - change.value);
  };
  if (mode === 'ws') {
    const socket = new WebSocket(url.replace('http', 'ws'));
    socket.on('message', (data) => record((JSON.parse(String(data)) as { data: { value: number }[] }).data));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return () => socket.close();
  }
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) =>
    socket.once('connect', () => resolve()).once('connect_error', reject),
  );
  if (mode === 'socketio') {
    socket.on('m', (text: string) => record((JSON.parse(text) as { data: { value: number }[] }).data));
  } else {
    const replica = new Replica({
      model: keyedState<number>(),
      onResync: () => void socket.emit('resync', { stream: 'fan:OUT' }),
    });
    socket.on('m', (text: string) => {
      // The same JSON.parse as the other clients (no schema check), so client-side work is alike in every mode;
      // the replica's apply is the only extra.
      const message = JSON.parse(text) as ServerMessage;
      if (message.type === 'heartbeat') return;
      if (message.type === 'delta') record(message.data as KeyedChange<number>[] as { value?: unknown }[]);
      replica.receive(message as DeltaMessage<never>);
    });
    await socket.emitWithAck('subscribe', { stream: 'fan:OUT' });
  }
  return () => socket.disconnect();
}

interface Result {
  mode: Mode;
  kbPerConnection: number;
  latency: Map<number, LatencySummary>;
}

async function run(mode: Mode): Promise<Result> {
  const script = fileURLToPath(new URL('./servers/fanOutServer.ts', import.meta.url));
  const child = fork(script, ['--mode', mode], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: 'inherit',
  });
  const port = await request<number>(child, {}, 'port');
  const url = `http://127.0.0.1:${port}`;
  await sleep(500);
  const rssBefore = await request<number>(child, { cmd: 'rss' }, 'rss');
  const latency: { recorder: LatencyRecorder | undefined } = { recorder: undefined };
  const closers: (() => void)[] = [];
  for (let i = 0; i < clientCount; i += 50) {
    closers.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, clientCount - i) }, () => connectClient(mode, url, latency)),
      )),
    );
  }
  await sleep(1000);
  const rssIdle = await request<number>(child, { cmd: 'rss' }, 'rss');
  const kbPerConnection = (rssIdle - rssBefore) / 1024 / clientCount;

  const byRate = new Map<number, LatencySummary>();
  for (const rate of rates) {
    child.send({ cmd: 'publish', rate });
    await sleep(2000); // warm-up, not recorded
    latency.recorder = new LatencyRecorder();
    await sleep(seconds * 1000);
    byRate.set(rate, latency.recorder.summary());
    latency.recorder = undefined;
    child.send({ cmd: 'stop' });
    await sleep(1000);
  }
  for (const close of closers) close();
  child.kill();
  const line = [...byRate].map(
    ([rate, s]) =>
      `${rate}/s: p50 ${s.p50.toFixed(1)} p99 ${s.p99.toFixed(1)} max ${s.max.toFixed(1)} ms (${s.count} deliveries)`,
  );
  console.log(`${mode}: ${kbPerConnection.toFixed(1)} KB RSS per idle connection | ${line.join(' | ')}`);
  return { mode, kbPerConnection, latency: byRate };
}

console.log(
  `fan-out: ${clientCount} clients, rates ${rates.join(', ')} changes/s, ${seconds} s each; ${machine()}`,
);
const results: Result[] = [];
for (const mode of ['ws', 'socketio', 'twohop'] as const) results.push(await run(mode));

const names: Record<Mode, string> = {
  ws: 'raw `ws` broadcast (baseline)',
  socketio: 'plain socket.io `io.emit`',
  twohop: 'twohop',
};
const baseline = results[0] as Result;
const rows = results.map((r) => {
  const cells = rates.map((rate) => {
    const s = r.latency.get(rate) as LatencySummary;
    const base = baseline.latency.get(rate) as LatencySummary;
    return `${s.p50.toFixed(1)} / ${s.p99.toFixed(1)} ms (${(s.p99 / base.p99).toFixed(2)}×)`;
  });
  return `| ${names[r.mode]} | ${cells.join(' | ')} | ${r.kbPerConnection.toFixed(1)} KB |`;
});
const table = [
  `| server | ${rates.map((rate) => `${rate} changes/s: p50 / p99 (p99 vs ws)`).join(' | ')} | server RSS per idle connection |`,
  `|---|${rates.map(() => '---:').join('|')}|---:|`,
  ...rows,
].join('\n');
console.log(table);
if (values.write) {
  writeBenchmarkSection(
    'fan-out',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario fan-out --write\` on: ${machine()}.`,
      '',
      `${clientCount} subscribers on one stream, ${seconds} s per rate after a 2 s warm-up; latency is publish to receive,`,
      'HDR histogram over every delivery. Servers in their own processes; the clients share one process.',
      '',
      table,
    ].join('\n'),
  );
}
process.exit(0);
