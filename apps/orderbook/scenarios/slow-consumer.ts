/**
 * `pnpm scenario orderbook:slow-consumer [--rate 20000] [--duration 30] [--seed S] [--smoke] [--write]`
 *
 * The order book app in its own process at burst rate (book changes/s per symbol), and one pro-tier client (full
 * depth, protobuf frames) that stops reading its TCP socket for `seconds`. Invariants: the server's RSS stays flat
 * while the client is stalled (peak growth under 16 MB after a full GC), and once the client reads again it catches
 * up with every checksum matching (no resync) within 10 s.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { reply, sleep } from '@twohop/scenarios';
import { parseArgs } from 'node:util';
import { LatencyRecorder, TimeSeries } from '@twohop/metrics';
import { protobufCodec, type DeltaMessage } from '@twohop/protocol';
import { Replica } from '@twohop/snapshot-delta';
import { bookChecksum, levelBookState } from '@twohop/orderbook/book';
import { orderbookPayloads } from '@twohop/orderbook/wire';
import {
  connectStallableSocket,
  machine,
  writeBenchmarkSection,
  writeScenarioReport,
} from '@twohop/testkit/node';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '20000' },
    duration: { type: 'string', default: '30' },
    /** Seeds the app's simulated order flow. */
    seed: { type: 'string', default: '11' },
    write: { type: 'boolean', default: false },
    /** A small, quick run (the test suite's): 2,000 changes/s, stalled 3 s, no memory invariant. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke) Object.assign(values, { rate: '2000', duration: '3' });
const seconds = Number(values.duration);
const mb = (bytes: number) => bytes / 2 ** 20;

console.log(
  `orderbook slow consumer: pro tier, engine at ${values.rate} changes/s per symbol (seed ${values.seed}), client stalled ${seconds} s; ${machine()}`,
);
const server = fork(
  fileURLToPath(new URL('./processes/server.ts', import.meta.url)),
  ['--rate', values.rate, '--seed', values.seed],
  {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: 'inherit',
  },
);
const port = (await reply<{ port: number }>(server, 'port')).port;
const socket = await connectStallableSocket(`http://127.0.0.1:${port}`, { codec: 'protobuf' });
const codec = protobufCodec(orderbookPayloads);
let frames = 0;
let conflated = 0;
/** Engine to client, per delta: while reading normally, and from the moment the client reads again. */
const latency = { 'reading normally': new LatencyRecorder(), 'after the stall': new LatencyRecorder() };
let phase: keyof typeof latency = 'reading normally';
/** Frames received per 250 ms over the whole run: steady, nothing while stalled, then the catch-up. */
const framesOverTime = new TimeSeries();
const started = performance.now();
const replica = new Replica({
  model: levelBookState(),
  checksum: bookChecksum,
  onResync: () => void socket.emit('resync', { stream: 'book:BTC-USD' }),
});
socket.on('m', (frame: ArrayBuffer) => {
  const message = codec.decode(new Uint8Array(frame));
  if (message.type === 'heartbeat') return;
  frames++;
  framesOverTime.count();
  if (message.type === 'delta' && message.ts !== undefined) latency[phase].record(Date.now() - message.ts);
  if (message.type === 'delta' && message.from !== undefined && message.from < message.seq) conflated++;
  replica.receive(message as DeltaMessage<never>);
});
await socket.emitWithAck('subscribe', { stream: 'book:BTC-USD' });
await sleep(3000);
const baseline = (await reply<{ rss: number }>(server, 'rss', { cmd: 'rss' })).rss;
console.log(`reading normally: ${frames} frames, RSS ${mb(baseline).toFixed(1)} MB; stalling …`);

socket.stall();
const samples: number[] = [];
/** Server RSS growth over the baseline, `[seconds since the start, MB]`. */
const rssOverTime: Array<[number, number]> = [];
for (let s = 0; s < seconds; s += 5) {
  await sleep(Math.min(5, seconds - s) * 1000);
  samples.push((await reply<{ rss: number }>(server, 'rss', { cmd: 'rss' })).rss);
  rssOverTime.push([
    Number(((performance.now() - started) / 1000).toFixed(1)),
    Number(mb((samples.at(-1) as number) - baseline).toFixed(1)),
  ]);
  console.log(
    `… stalled ${Math.min(seconds, s + 5)} s: server RSS ${mb(samples.at(-1) as number).toFixed(1)} MB`,
  );
}
const framesBefore = frames;
const resumedAt = Date.now();
phase = 'after the stall';
socket.resume();
// Caught up: frames flow again, the replica is live, and a few more have applied with their checksums verified.
while (Date.now() - resumedAt < 10_000 && !(replica.status === 'live' && frames > framesBefore + 20))
  await sleep(20);
const catchUpMs = Date.now() - resumedAt;
// Two more seconds of reading, so the charts show the flow after the catch-up too.
await sleep(2000);
socket.disconnect();
server.kill('SIGTERM');

const peakGrowth = mb(Math.max(...samples) - baseline);
const caughtUp = replica.status === 'live' && frames > framesBefore + 20;
const rows = [
  `| server RSS before the stall | ${mb(baseline).toFixed(1)} MB |`,
  `| server RSS every 5 s of the stall | ${samples.map((s) => `${mb(s - baseline) >= 0 ? '+' : '−'}${Math.abs(mb(s - baseline)).toFixed(1)}`).join(', ')} MB |`,
  `| peak growth | ${peakGrowth >= 0 ? '+' : '−'}${Math.abs(peakGrowth).toFixed(1)} MB |`,
  `| catch-up after reading again | ${caughtUp ? `${catchUpMs} ms` : 'not within 10 s'} |`,
  `| conflated deltas received | ${conflated} |`,
  `| resyncs (checksum or gap) | ${replica.stats.resyncs} |`,
];
const table = ['| | |', '|---|---|', ...rows].join('\n');
console.log(table);
const ok = writeScenarioReport({
  scenario: 'orderbook-slow-consumer',
  params: { rate: values.rate, duration: seconds, seed: values.seed, smoke: values.smoke },
  table: {
    headers: ['measure', 'value'],
    rows: rows.map((row) =>
      row
        .split('|')
        .slice(1, 3)
        .map((cell) => cell.trim()),
    ),
  },
  invariants: [
    ...(values.smoke
      ? []
      : [
          {
            name: 'server RSS flat during the stall (peak growth under 16 MB)',
            ok: peakGrowth < 16,
            detail: `${peakGrowth.toFixed(1)} MB`,
          },
        ]),
    { name: 'the client caught up within 10 s of reading again', ok: caughtUp, detail: `${catchUpMs} ms` },
    {
      name: 'no resync: every checksum matched',
      ok: replica.stats.resyncs === 0,
      detail: `${replica.stats.resyncs} resyncs`,
    },
  ],
  latency: Object.fromEntries(
    Object.entries(latency).map(([name, recorder]) => [name, recorder.distribution()]),
  ),
  overTime: [
    {
      title: 'Server RSS growth during the stall (after a full GC)',
      unit: 'MB',
      series: { 'server RSS growth': rssOverTime },
    },
    { title: 'Frames received per second', unit: 'frames/s', series: { frames: framesOverTime.points() } },
  ],
});
if (values.write) {
  writeBenchmarkSection(
    'orderbook-slow-consumer',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario orderbook:slow-consumer --write\` on: ${machine()}.`,
      '',
      `One pro-tier client (full depth, protobuf) on BTC-USD stops reading its TCP socket for ${seconds} s while the engine runs at`,
      `${values.rate} book changes/s per symbol. Server RSS after a full GC, in its own process.`,
      '',
      table,
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
