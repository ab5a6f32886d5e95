/**
 * The client side of the fan-out scenario, forked once per server so every mode starts from a fresh process.
 * `--mode` and `--url` say what to connect to, `--clients` how many. Messages from the parent: `{ cmd: 'record' }`
 * starts a new latency histogram and delivery count, `{ cmd: 'summary' }` → `{ summary, distribution, perSecond }`. Sends `{ connected: true }` when every
 * client is connected (and, for twohop, subscribed). `{ cmd: 'check', published, entries }` → `{ check }`: how many
 * clients hold exactly that state, having received every change once (raw modes: one frame per change; twohop: its
 * replica at seq `published`), and how many twohop replicas resynced.
 */
import { parseArgs } from 'node:util';
import { answerCpu } from './ipc.js';
import { LatencyRecorder, TimeSeries } from '@twohop/metrics';
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
/** Changes received per 250 ms over every client, from `record` on. */
let deliveries: TimeSeries | undefined;

/** Every client does the same work per frame: one JSON.parse, then recording; twohop's also apply it to a Replica. */
const record = (changes: readonly { value?: unknown }[]) => {
  const received = now();
  for (const change of changes)
    if (typeof change.value === 'number') recorder?.record(received - change.value);
  deliveries?.count(changes.length);
};

/** What one client ended with, for the convergence check. */
interface Held {
  readonly state: ReadonlyMap<string, unknown>;
  /** Frames received (raw modes) or the replica's seq (twohop). */
  readonly through: () => number;
  readonly resyncs: () => number;
}
const held: Held[] = [];
/** Conflated deltas received by twohop clients: the server merged changes while their socket could not take more. */
let conflated = 0;

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
  if (values.mode === 'ws' || values.mode === 'floor') {
    const socket = new WebSocket(url.replace('http', 'ws'));
    const client = rawClient();
    held.push(client.held);
    socket.on('message', (data) => client.onFrame(String(data)));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return;
  }
  if (values.mode === 'twohop-ws') return twohopOverWebSocket(url);
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
  const onMessage = replicaClient(() => void socket.emit('resync', { stream: 'fan:OUT' }));
  socket.on('m', (text: string) => onMessage(JSON.parse(text) as ServerMessage));
  await socket.emitWithAck('subscribe', { stream: 'fan:OUT' });
}

/** A twohop client's own state: a Replica fed every message, held for the convergence check. */
function replicaClient(resync: () => void): (message: ServerMessage) => void {
  const replica = new Replica({ model: keyedState<number>(), onResync: resync });
  held.push({
    get state() {
      return replica.state;
    },
    through: () => replica.position?.seq ?? -1,
    resyncs: () => replica.stats.resyncs,
  });
  return (message) => {
    if (message.type === 'heartbeat') return;
    // Every change delivered counts once, whether it came alone, conflated with others, or in a batch.
    const deltas = message.type === 'delta' ? [message] : message.type === 'batch' ? message.items : [];
    for (const delta of deltas) {
      if (delta.from !== undefined && delta.from < delta.seq) conflated++;
      record(delta.data as { value?: unknown }[]);
    }
    replica.receive(message as DeltaMessage<never>);
  };
}

/** A twohop client over the plain-WebSocket binding, as docs/protocol.md describes it: request frames, a Replica. */
async function twohopOverWebSocket(url: string): Promise<void> {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/ws`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const request = (id: number, method: string) =>
    socket.send(JSON.stringify({ id, method, params: { stream: 'fan:OUT' } }));
  const onMessage = replicaClient(() => request(0, 'resync'));
  const subscribed = new Promise<void>((resolve) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as ServerMessage | { type: 'reply' };
      if (message.type === 'reply') resolve();
      else onMessage(message);
    });
  });
  request(1, 'subscribe');
  await subscribed;
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
  return { clients: held.length, converged, resyncs, conflated };
}

const count = Number(values.clients);
for (let i = 0; i < count; i += 50) {
  await Promise.all(Array.from({ length: Math.min(50, count - i) }, connect));
}
process.send?.({ connected: true });
answerCpu();
process.on('message', (message: { cmd: string; published?: number; entries?: [string, number][] }) => {
  if (message.cmd === 'record') {
    recorder = new LatencyRecorder();
    deliveries = new TimeSeries();
  } else if (message.cmd === 'check')
    process.send?.({ check: check(message.published ?? 0, message.entries ?? []) });
  else if (message.cmd === 'summary')
    process.send?.({
      summary: recorder?.summary(),
      distribution: recorder?.distribution() ?? [],
      perSecond: deliveries?.points() ?? [],
    });
  else if (message.cmd === 'exit') process.exit(0);
});
