/**
 * `pnpm scenario slow-consumer [--seconds 60] [--rate 10000] [--write]`
 *
 * One client subscribes and stops reading its TCP socket while the server publishes `rate` changes/s over 200 keys.
 * Run twice in one go, each server in its own process: twohop's backpressure-aware sender, and plain `socket.emit`.
 * Reports each server's RSS growth and engine.io write-buffer length; `--write` records them in docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

import { connectStallableSocket, machine, writeBenchmarkSection } from '@twohop/testkit';

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
process.exit(0);
