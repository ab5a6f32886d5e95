/**
 * The client side of the fan-out scenario, forked once per server so every mode starts from a fresh process.
 * `--mode` and `--url` say what to connect to, `--clients` how many. Messages from the parent: `{ cmd: 'record' }`
 * starts a new latency histogram, `{ cmd: 'summary' }` → `{ summary }`. Sends `{ connected: true }` when every
 * client is connected (and, for twohop, subscribed).
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

async function connect(): Promise<void> {
  const url = values.url;
  if (values.mode === 'ws') {
    const socket = new WebSocket(url.replace('http', 'ws'));
    socket.on('message', (data) => record((JSON.parse(String(data)) as { data: { value: number }[] }).data));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return;
  }
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) =>
    socket.once('connect', () => resolve()).once('connect_error', reject),
  );
  if (values.mode === 'socketio') {
    socket.on('m', (text: string) => record((JSON.parse(text) as { data: { value: number }[] }).data));
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
  await socket.emitWithAck('subscribe', { stream: 'fan:OUT' });
}

const count = Number(values.clients);
for (let i = 0; i < count; i += 50) {
  await Promise.all(Array.from({ length: Math.min(50, count - i) }, connect));
}
process.send?.({ connected: true });
process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'record') recorder = new LatencyRecorder();
  else if (message.cmd === 'summary') process.send?.({ summary: recorder?.summary() });
  else if (message.cmd === 'exit') process.exit(0);
});
