/**
 * A well-behaved client in a process of its own: after its setup requests (by default: subscribed to one stream), it
 * makes one request every `--every` ms (by default a `resync`, answered with an ack and a fresh snapshot; any app's
 * request with `--event` and `--payload`, signed in with `--token`) and records each round trip in the current
 * phase's HDR histogram. The parent names the phase (`{cmd: 'phase', name}`) and asks for the summary
 * (`{cmd: 'summary'}`).
 */
import { parseArgs } from 'node:util';
import { LatencyRecorder, type LatencySummary } from '@twohop/metrics';
import { io } from 'socket.io-client';
import { sleep } from './ipc.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    stream: { type: 'string', default: 'book:BTC-USD/mobile' },
    every: { type: 'string', default: '100' },
    /** The request measured, and its payload (JSON). @default a resync of `--stream` */
    event: { type: 'string', default: 'resync' },
    payload: { type: 'string' },
    /** Requests made once before measuring, as JSON `[[event, payload], …]`. @default a subscribe to `--stream` */
    setup: { type: 'string' },
    /** A session token for the handshake's `auth` (apps with sign-in). */
    token: { type: 'string' },
  },
});
const payload: unknown =
  values.payload === undefined ? { stream: values.stream } : JSON.parse(values.payload);
const setup = (
  values.setup === undefined ? [['subscribe', { stream: values.stream }]] : JSON.parse(values.setup)
) as Array<[string, unknown]>;
const socket = io(values.url as string, {
  transports: ['websocket'],
  reconnection: false,
  ...(values.token === undefined ? {} : { auth: { token: values.token } }),
});
await new Promise<void>((resolve, reject) => {
  socket.once('connect', resolve);
  socket.once('connect_error', reject);
});
const started = performance.now();
const phases = new Map<string, { recorder: LatencyRecorder; refused: number; unanswered: number }>();
let phase = 'warm-up';
const current = () => {
  let entry = phases.get(phase);
  if (entry === undefined) {
    entry = { recorder: new LatencyRecorder(10_000), refused: 0, unanswered: 0 };
    phases.set(phase, entry);
  }
  return entry;
};
/** Every round trip, as [seconds since start, ms], for the report's chart. */
const samples: Array<[number, number]> = [];
let running = true;

process.on('message', (message: { cmd: string; name?: string }) => {
  if (message.cmd === 'phase') phase = message.name as string;
  if (message.cmd === 'summary') {
    running = false;
    const summary: Record<string, LatencySummary & { refused: number; unanswered: number }> = {};
    const distribution: Record<string, Array<[number, number]>> = {};
    for (const [name, entry] of phases) {
      summary[name] = { ...entry.recorder.summary(), refused: entry.refused, unanswered: entry.unanswered };
      distribution[name] = entry.recorder.distribution();
    }
    process.send?.({ summary, distribution, samples, connected: socket.connected });
    socket.disconnect();
  }
});

for (const [event, body] of setup) await socket.timeout(5000).emitWithAck(event, body);
process.send?.({ ready: true });
while (running && socket.connected) {
  const sent = performance.now();
  const entry = current();
  try {
    const reply = (await socket.timeout(5000).emitWithAck(values.event, payload)) as {
      ok: boolean;
    };
    const ms = performance.now() - sent;
    entry.recorder.record(ms);
    samples.push([Number(((sent - started) / 1000).toFixed(2)), Number(ms.toFixed(2))]);
    if (!reply.ok) entry.refused++;
  } catch {
    entry.unanswered++;
  }
  await sleep(Math.max(0, Number(values.every) - (performance.now() - sent)));
}
