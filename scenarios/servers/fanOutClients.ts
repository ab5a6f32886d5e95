/**
 * The client side of the fan-out scenario, forked once per server so every mode starts from a fresh process.
 * `--mode` and `--url` say what to connect to, `--clients` how many. Messages from the parent: `{ cmd: 'record' }`
 * starts a new latency histogram, `{ cmd: 'summary' }` → `{ summary }`. Sends `{ connected: true }` when every
 * client is connected (and, for twohop, subscribed). `{ cmd: 'check', published, entries }` → `{ check }`: how many
 * clients hold exactly that state, having received every change once (raw modes: one frame per change; twohop: its
 * replica at seq `published`), and how many twohop replicas resynced.
 */
import { parseArgs } from 'node:util';
import { LatencyRecorder } from '@twohop/metrics';
import type { DeltaMessage, ServerMessage } from '@twohop/protocol';
import { keyedState, Replica } from '@twohop/snapshot-delta';
import { io } from 'socket.io-client';
import WebSocket from 'ws';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'twohop' },
    url: { type: 'string', default: '' },
    clients: { type: 'string', default: '1000' },
  },
});
const now = () => performance.timeOrigin + performance.now();
let recorder: LatencyRecorder | undefined;

/** Every client does the same work per frame: one JSON.parse, then recording; twohop's also apply it to a Replica. */
const record = (changes: readonly { value?: unknown }[]) => {
  const received = now();
  for (const change of changes)
    if (typeof change.value === 'number') recorder?.record(received - change.value);
};

/** What one client ended with, for the convergence check. */
interface Held {
  readonly state: ReadonlyMap<string, unknown>;
  /** Frames received (raw modes) or the replica's seq (twohop). */
  readonly through: () => number;
  readonly resyncs: () => number;
}
const held: Held[] = [];

/** A raw-mode client's own state: every frame applied to a Map, and a frame count. */
function rawClient(): { held: Held; onFrame: (text: string) => void } {
  const state = new Map<string, number>();
  let frames = 0;
  const onFrame = (text: string) => {
    const changes = (JSON.parse(text) as { data: { key: string; value: number }[] }).data;
    record(changes);
    frames++;
    for (const change of changes) state.set(change.key, change.value);
  };
  return { held: { state, through: () => frames, resyncs: () => 0 }, onFrame };
}

async function connect(): Promise<void> {
  const url = values.url;
  if (values.mode === 'ws') {
    const socket = new WebSocket(url.replace('http', 'ws'));
    const client = rawClient();
    held.push(client.held);
    socket.on('message', (data) => client.onFrame(String(data)));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return;
  }
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) =>
    socket.once('connect', () => resolve()).once('connect_error', reject),
  );
  if (values.mode === 'socketio') {
    const client = rawClient();
    held.push(client.held);
    socket.on('m', client.onFrame);
    return;
  }
  const replica = new Replica({
    model: keyedState<number>(),
    onResync: () => void socket.emit('resync', { stream: 'fan:OUT' }),
  });
  socket.on('m', (text: string) => {
    const message = JSON.parse(text) as ServerMessage;
    if (message.type === 'heartbeat') return;
    if (message.type === 'delta') record(message.data as { value?: unknown }[]);
    replica.receive(message as DeltaMessage<never>);
  });
  held.push({
    get state() {
      return replica.state;
    },
    through: () => replica.position?.seq ?? -1,
    resyncs: () => replica.stats.resyncs,
  });
  await socket.emitWithAck('subscribe', { stream: 'fan:OUT' });
}

/** How many clients hold exactly `entries`, through change `published`. */
function check(published: number, entries: [string, number][]) {
  const converged = held.filter(
    ({ state, through }) =>
      through() === published &&
      state.size === entries.length &&
      entries.every(([key, value]) => state.get(key) === value),
  ).length;
  const resyncs = held.reduce((sum, client) => sum + client.resyncs(), 0);
  return { clients: held.length, converged, resyncs };
}

const count = Number(values.clients);
for (let i = 0; i < count; i += 50) {
  await Promise.all(Array.from({ length: Math.min(50, count - i) }, connect));
}
process.send?.({ connected: true });
process.on('message', (message: { cmd: string; published?: number; entries?: [string, number][] }) => {
  if (message.cmd === 'record') recorder = new LatencyRecorder();
  else if (message.cmd === 'check')
    process.send?.({ check: check(message.published ?? 0, message.entries ?? []) });
  else if (message.cmd === 'summary') process.send?.({ summary: recorder?.summary() });
  else if (message.cmd === 'exit') process.exit(0);
});
