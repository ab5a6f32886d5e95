/**
 * `pnpm scenario slow-consumer [--seconds 60] [--rate 10000] [--write]`
 *
 * One client subscribes and stops reading its TCP socket while the server publishes `rate` changes/s over 200 keys.
 * Run twice in one go, each server in its own process: twohop's backpressure-aware sender, and plain `socket.emit`.
 * Reports each server's RSS growth and engine.io write-buffer length; `--write` records them in docs/benchmarks.md.
 *
 * Invariants (non-zero exit when one fails): the stall was real (plain `socket.emit` piled up packets for the
 * client, so it did stop reading); twohop's sender kept engine.io's write buffer at one packet at most and its
 * server's RSS grew less than 5 MB; and both servers kept publishing through the stall.
 */
import { spawn } from 'node:child_process';
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
  },
});
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
    ['--expose-gc', '--import', 'tsx', script, '--mode', mode, '--rate', values.rate],
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
  // Warm up with the client reading, so the baseline includes a full history ring and a settled heap.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const before = samples.at(-1) as Sample;
  socket.stall();
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
  const growthMb = (peakRss - before.rss) / 2 ** 20;
  const result = {
    mode,
    growthMb,
    peakBuffer,
    trajectory,
    published: after.published - before.published,
  };
  console.log(
    `${mode}: ${result.published} changes during the stall; server RSS ${(before.rss / 2 ** 20).toFixed(1)} MB, ` +
      `peak ${signed(growthMb, 1)} MB (every 10 s: ${trajectory.join(', ')} MB); engine.io write buffer peak ${peakBuffer} packets`,
  );
  return result;
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
  params: { rate: values.rate, seconds },
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
    {
      name: "twohop: the server's RSS grew less than 5 MB during the stall",
      ok: twohop.growthMb < 5,
      detail: `${signed(twohop.growthMb, 1)} MB`,
    },
    {
      name: `both servers kept publishing through the stall (over ${expected.toLocaleString('en')} changes each)`,
      ok: twohop.published > expected && plain.published > expected,
      detail: `twohop ${twohop.published}, plain ${plain.published}`,
    },
  ],
});

if (values.write) {
  writeBenchmarkSection(
    'slow-consumer',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario slow-consumer --seconds ${seconds} --write\` on: ${machine()}.`,
      '',
      `One client subscribes to a stream of ${values.rate} changes/s over 200 keys (~150-byte values) and stops reading`,
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
