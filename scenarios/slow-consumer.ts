/**
 * `pnpm scenario slow-consumer [--seconds 60] [--rate 10000] [--value-bytes 140] [--smoke] [--write]`
 *
 * One client subscribes and stops reading its TCP socket while the server publishes `rate` changes/s over 200 keys;
 * a second client beside it keeps reading and times every change from its publish to its arrival. Run twice in one
 * go, each server in its own process: twohop's backpressure-aware sender, and plain `socket.emit`. Reports each
 * server's RSS growth and engine.io write-buffer length over the stall, and the reader's latency; `--write` records
 * them in docs/benchmarks.md.
 *
 * Invariants (non-zero exit when one fails): the stall was real (plain `socket.emit` piled up packets for the
 * client, so it did stop reading); twohop's sender kept engine.io's write buffer at one packet at most and its
 * server's RSS grew less than 5 MB (full runs only); and both servers kept publishing through the stall.
 */
import { spawn } from 'node:child_process';
import { LatencyRecorder } from '@twohop/metrics';
import type { ServerMessage } from '@twohop/protocol';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

import {
  connectStallableSocket,
  machine,
  writeBenchmarkSection,
  writeScenarioReport,
} from '@twohop/testkit/node';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    rate: { type: 'string', default: '10000' },
    write: { type: 'boolean', default: false },
    /** The padding of each value, in bytes. */
    'value-bytes': { type: 'string', default: '140' },
    /**
     * A small, quick run (the test suite's): stalled 3 s at 5,000 changes/s of 4 KB values — even a publisher slowed
     * by a busy machine sends more than the kernel's socket buffers hold, so the stall shows — no memory invariant.
     */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke) Object.assign(values, { seconds: '3', rate: '5000', 'value-bytes': '4000' });
const seconds = Number(values.seconds);

/** A number with its sign: +3, −2. */
const signed = (n: number, digits = 0) => `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(digits)}`;

interface Sample {
  rss: number;
  writeBuffer: number;
  published: number;
}

async function run(mode: 'twohop' | 'plain') {
  const script = fileURLToPath(new URL('./servers/slowConsumerServer.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      ...['--expose-gc', '--import', 'tsx', script],
      ...['--mode', mode, '--rate', values.rate, '--value-bytes', values['value-bytes']],
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const samples: Sample[] = [];
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((resolve) => {
    lines.on('line', (line) => {
      const parsed = JSON.parse(line) as { port?: number } & Sample;
      if (parsed.port !== undefined) resolve(parsed.port);
      else samples.push(parsed);
    });
  });
  const socket = await connectStallableSocket(`http://127.0.0.1:${port}`);
  await socket.emitWithAck('subscribe', { stream: 'levels:SLOW' });
  const reader = await readingClient(`http://127.0.0.1:${port}`);
  // Warm up with the client reading, so the baseline includes a full history ring and a settled heap.
  await new Promise((resolve) => setTimeout(resolve, values.smoke ? 1500 : 3000));
  const before = samples.at(-1) as Sample;
  socket.stall();
  reader.latency.reset();
  const stalledFrom = samples.length;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 500));
  const during = samples.slice(stalledFrom);
  const after = during.at(-1) as Sample;
  const peakBuffer = Math.max(...during.map((s) => s.writeBuffer));
  const peakRss = Math.max(...during.map((s) => s.rss));
  // RSS growth every 10 s of the stall, to show whether it levels off or keeps climbing.
  const trajectory = during
    .filter((_, i) => (i + 1) % 10 === 0)
    .map((s) => signed((s.rss - before.rss) / 2 ** 20));
  child.kill('SIGTERM');
  socket.disconnect();
  reader.socket.disconnect();
  const growthMb = (peakRss - before.rss) / 2 ** 20;
  const result = {
    mode,
    growthMb,
    peakBuffer,
    trajectory,
    published: after.published - before.published,
    distribution: reader.latency.distribution(),
    /** Each sample of the stall (one a second): RSS growth in MB and the longest write buffer. */
    overTime: during.map((sample, i) => ({
      at: i + 1,
      growthMb: Number(((sample.rss - before.rss) / 2 ** 20).toFixed(2)),
      writeBuffer: sample.writeBuffer,
    })),
  };
  console.log(
    `${mode}: ${result.published} changes during the stall; server RSS ${(before.rss / 2 ** 20).toFixed(1)} MB, ` +
      `peak ${signed(growthMb, 1)} MB (every 10 s: ${trajectory.join(', ')} MB); engine.io write buffer peak ${peakBuffer} packets`,
  );
  return result;
}

/**
 * A client beside the stalled one that keeps reading and times each change from its publish (the value starts with
 * `<n>:<ms since the epoch>`) to its arrival; server and client share the machine's clock.
 */
async function readingClient(url: string) {
  const latency = new LatencyRecorder();
  const socket = await connectStallableSocket(url);
  socket.on('m', (text: string) => {
    const received = performance.timeOrigin + performance.now();
    const message = JSON.parse(text) as ServerMessage;
    const deltas = message.type === 'delta' ? [message] : message.type === 'batch' ? message.items : [];
    for (const delta of deltas)
      for (const change of delta.data as Array<{ value?: string }>)
        if (change.value !== undefined) latency.record(received - Number(change.value.split(':')[1]));
  });
  await socket.emitWithAck('subscribe', { stream: 'levels:SLOW' });
  return { socket, latency };
}

console.log(
  `slow consumer: ${values.rate} changes/s over 200 keys, client stalled ${seconds} s; ${machine()}`,
);
const twohop = await run('twohop');
const plain = await run('plain');
// The servers publish on a timer; on a busy machine they fall behind the rate, but never to a trickle.
const expected = (Number(values.rate) * seconds) / 4;
const ok = writeScenarioReport({
  scenario: 'slow-consumer',
  params: { rate: values.rate, seconds, smoke: values.smoke },
  table: {
    headers: ['server', 'changes during the stall', 'RSS growth, peak (MB)', 'engine.io write buffer, peak'],
    rows: [twohop, plain].map((r) => [r.mode, r.published, r.growthMb.toFixed(1), r.peakBuffer]),
  },
  invariants: [
    {
      name: 'the stall was real: plain socket.emit queued packets for the client (over 1,000)',
      ok: plain.peakBuffer > 1000,
      detail: `${plain.peakBuffer} packets`,
    },
    {
      name: "twohop: engine.io's write buffer held at most one packet",
      ok: twohop.peakBuffer <= 1,
      detail: `${twohop.peakBuffer} packets`,
    },
    ...(values.smoke
      ? []
      : [
          {
            name: "twohop: the server's RSS grew less than 5 MB during the stall",
            ok: twohop.growthMb < 5,
            detail: `${signed(twohop.growthMb, 1)} MB`,
          },
        ]),
    {
      name: `both servers kept publishing through the stall (over ${expected.toLocaleString('en')} changes each)`,
      ok: twohop.published > expected && plain.published > expected,
      detail: `twohop ${twohop.published}, plain ${plain.published}`,
    },
  ],
  latency: { 'reader beside it, twohop': twohop.distribution, 'reader beside it, plain': plain.distribution },
  overTime: [
    {
      title: 'Server RSS growth during the stall (after a full GC)',
      unit: 'MB',
      series: Object.fromEntries(
        [twohop, plain].map((r) => [r.mode, r.overTime.map((s): [number, number] => [s.at, s.growthMb])]),
      ),
    },
    {
      title: "The stalled client's engine.io write buffer",
      unit: 'packets',
      series: Object.fromEntries(
        [twohop, plain].map((r) => [r.mode, r.overTime.map((s): [number, number] => [s.at, s.writeBuffer])]),
      ),
    },
  ],
});

if (values.write) {
  writeBenchmarkSection(
    'slow-consumer',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario slow-consumer --seconds ${seconds} --write\` on: ${machine()}.`,
      '',
      `One client subscribes to a stream of ${values.rate} changes/s over 200 keys (~${values['value-bytes']}-byte values) and stops reading`,
      `its TCP socket for ${seconds} s. Each server runs in its own process; RSS is the server's own.`,
      '',
      "socket.io's heartbeat would cut the stalled client at ~45 s (25 s ping interval + 20 s timeout); both servers",
      'here wait two minutes, so the whole stall is measured. A full GC runs before each sample.',
      '',
      '| server | changes during the stall | server RSS growth, peak | RSS growth every 10 s (MB) | engine.io write buffer, peak |',
      '|---|---:|---:|---|---:|',
      ...[twohop, plain].map(
        (r) =>
          `| ${r.mode === 'twohop' ? 'twohop (backpressure-aware sender)' : 'plain `socket.emit`'} | ${r.published.toLocaleString('en')} | ${signed(r.growthMb, 1)} MB | ${r.trajectory.join(', ')} | ${r.peakBuffer.toLocaleString('en')} packets |`,
      ),
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
