/**
 * Watchers of one lot for `auction:watchers`, in a process of their own: `--clients` socket.io connections, each
 * signed in, following `auction:<lot>` with a twohop `Replica` (`--mode twohop`) or listening to the raw broadcast's
 * `bid` events (`--mode raw`). Each times every accepted bid from the server's stamp (`ts`) to its arrival (one
 * machine, one clock). IPC: sends `{ready}` once every client follows; `{cmd: 'record'}` starts counting;
 * `{cmd: 'result'}` → `{result: {samples, bidCounts, resyncs}}` (the latencies, each client's bid count as its
 * replica holds it, resyncs).
 */
import type { DeltaMessage, ServerMessage } from '@twohop/protocol';
import { requestSession } from '@twohop/client';
import { keyedState, Replica } from '@twohop/snapshot-delta';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'twohop' },
    url: { type: 'string', default: '' },
    lot: { type: 'string', default: 'hall' },
    clients: { type: 'string', default: '1000' },
    name: { type: 'string', default: 'watcher' },
  },
});
const now = () => performance.timeOrigin + performance.now();
const stream = `auction:${values.lot}`;
const samples: number[] = [];
let recording = false;
let resyncs = 0;
const replicas: Replica<Map<string, unknown>, never, never>[] = [];
const sockets: Socket[] = [];
// One signed-in user per process: its watchers are its tabs (the server's budgets are lifted for the scenario).
// (The raw baseline server has no users.)
const token = values.mode === 'raw' ? '' : (await requestSession(values.url, values.name)).token;

async function watcher(): Promise<void> {
  const socket = io(values.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: { token },
  });
  sockets.push(socket);
  await new Promise((resolve, reject) =>
    socket.once('connect', () => resolve(undefined)).once('connect_error', reject),
  );
  if (values.mode === 'raw') {
    socket.on('bid', (message: { ts: number }) => recording && samples.push(now() - message.ts));
    return;
  }
  const replica = new Replica({
    model: keyedState<unknown>(),
    onResync: () => {
      resyncs++;
      socket.emit('resync', { stream }, () => undefined);
    },
  });
  replicas.push(replica as never);
  socket.on('m', (text: string) => {
    const message = JSON.parse(text) as ServerMessage;
    const received = now();
    const deltas = message.type === 'batch' ? message.items : [message];
    for (const delta of deltas as DeltaMessage<{ key: string }[]>[]) {
      if (
        delta.type === 'delta' &&
        recording &&
        delta.ts !== undefined &&
        delta.data.some((c) => c.key === 'bidCount')
      )
        samples.push(received - delta.ts);
    }
    replica.receive(message as never);
  });
  const ack = (await socket.emitWithAck('subscribe', { stream })) as { ok: boolean };
  if (!ack.ok) throw new Error(`subscribe refused: ${JSON.stringify(ack)}`);
}

// Connect in batches: thousands of handshakes at once would test the accept queue, not the fan-out.
const total = Number(values.clients);
for (let start = 0; start < total; start += 100) {
  await Promise.all(Array.from({ length: Math.min(100, total - start) }, () => watcher()));
}
process.send?.({ ready: true });
process.on('message', (message: { cmd?: string }) => {
  if (message.cmd === 'record') recording = true;
  if (message.cmd === 'result') {
    recording = false;
    const bidCounts = replicas.map((replica) => replica.state.get('bidCount') as number);
    for (const socket of sockets) socket.disconnect();
    // Exit only once the result is through the IPC channel: a large one takes a while to flush.
    process.send?.({ result: { samples, bidCounts, resyncs } }, () => process.exit(0));
  }
});
