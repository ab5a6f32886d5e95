/**
 * `pnpm scenario fan-out [--clients 1000] [--seconds 15] [--rates 10,100] [--write]`
 *
 * `clients` subscribers on one stream; the server publishes `rate` changes/s, each carrying its publish time, and
 * every client records publish-to-receive latency in an HDR histogram. Three servers in one run, each in its own
 * process: raw `ws` broadcast (the baseline), plain socket.io `io.emit`, and twohop (a subscription per client
 * with its backpressure-aware sender, clients keeping a Replica each). Also reports the server's RSS per idle
 * connection. For each server the clients run in a fresh process of their own (servers/fanOutClients.ts), doing
 * the same work per frame (a JSON.parse; twohop's also apply it to a Replica), so no mode inherits another's heap.
 *
 * Invariants (non-zero exit when one fails): after publishing stops, every client of every server holds the
 * server's exact state, having received every change once (raw modes: one frame per change; twohop: its replica at
 * the last seq), and no twohop replica resynced. Latency and memory are reported, never asserted.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { reply, sleep } from './servers/ipc.js';
import type { LatencySummary } from '@twohop/metrics';
import { parseArgs } from 'node:util';
import { machine, writeBenchmarkSection, writeScenarioReport, type Invariant } from '@twohop/testkit/node';

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
type Mode = 'ws' | 'socketio' | 'twohop';

interface Result {
  mode: Mode;
  kbPerConnection: number;
  latency: Map<number, LatencySummary>;
  invariants: Invariant[];
}

interface Check {
  clients: number;
  converged: number;
  resyncs: number;
}

/** Asks the clients, until they all hold the server's state or 10 s pass, how many do. */
async function convergence(server: ChildProcess, clients: ChildProcess): Promise<Check> {
  const { truth } = await reply<{ truth: { published: number; entries: [string, number][] } }>(
    server,
    'truth',
    {
      cmd: 'truth',
    },
  );
  let check: Check = { clients: 0, converged: 0, resyncs: 0 };
  for (let attempt = 0; attempt < 20; attempt++) {
    check = (await reply<{ check: Check }>(clients, 'check', { cmd: 'check', ...truth })).check;
    if (check.converged === check.clients) break;
    await sleep(500);
  }
  return check;
}

async function run(mode: Mode): Promise<Result> {
  const script = fileURLToPath(new URL('./servers/fanOutServer.ts', import.meta.url));
  const child = fork(script, ['--mode', mode], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: 'inherit',
  });
  const port = (await reply<{ port: number }>(child, 'port')).port;
  const url = `http://127.0.0.1:${port}`;
  await sleep(500);
  const rssBefore = (await reply<{ rss: number }>(child, 'rss', { cmd: 'rss' })).rss;
  const clientScript = fileURLToPath(new URL('./servers/fanOutClients.ts', import.meta.url));
  const clients = fork(clientScript, ['--mode', mode, '--url', url, '--clients', String(clientCount)], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  await reply(clients, 'connected');
  await sleep(1000);
  const rssIdle = (await reply<{ rss: number }>(child, 'rss', { cmd: 'rss' })).rss;
  const kbPerConnection = (rssIdle - rssBefore) / 1024 / clientCount;

  const byRate = new Map<number, LatencySummary>();
  for (const rate of rates) {
    child.send({ cmd: 'publish', rate });
    await sleep(2000); // warm-up, not recorded
    clients.send({ cmd: 'record' });
    await sleep(seconds * 1000);
    byRate.set(
      rate,
      (await reply<{ summary: LatencySummary }>(clients, 'summary', { cmd: 'summary' })).summary,
    );
    child.send({ cmd: 'stop' });
    await sleep(1000);
  }
  const check = await convergence(child, clients);
  clients.send({ cmd: 'exit' });
  child.kill();
  const invariants: Invariant[] = [
    {
      name: `${mode}: every client holds the server's state, every change received once`,
      ok: check.clients === clientCount && check.converged === check.clients,
      detail: `${check.converged} of ${check.clients} clients (${clientCount} connected)`,
    },
    ...(mode === 'twohop'
      ? [
          {
            name: 'twohop: no replica resynced (no gap)',
            ok: check.resyncs === 0,
            detail: `${check.resyncs} resyncs`,
          },
        ]
      : []),
  ];
  const line = [...byRate].map(
    ([rate, s]) =>
      `${rate}/s: p50 ${s.p50.toFixed(1)} p99 ${s.p99.toFixed(1)} max ${s.max.toFixed(1)} ms (${s.count} deliveries)`,
  );
  console.log(`${mode}: ${kbPerConnection.toFixed(1)} KB RSS per idle connection | ${line.join(' | ')}`);
  return { mode, kbPerConnection, latency: byRate, invariants };
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
const ok = writeScenarioReport({
  scenario: 'fan-out',
  params: { clients: clientCount, seconds, rates: values.rates },
  table: {
    headers: ['server', ...rates.map((rate) => `${rate} changes/s: p50 / p99 ms`), 'KB per idle connection'],
    rows: results.map((r) => [
      names[r.mode],
      ...rates.map((rate) => {
        const summary = r.latency.get(rate) as LatencySummary;
        return `${summary.p50.toFixed(1)} / ${summary.p99.toFixed(1)}`;
      }),
      r.kbPerConnection.toFixed(1),
    ]),
  },
  invariants: results.flatMap((r) => r.invariants),
});
if (values.write) {
  writeBenchmarkSection(
    'fan-out',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario fan-out --write\` on: ${machine()}.`,
      '',
      `${clientCount} subscribers on one stream, ${seconds} s per rate after a 2 s warm-up; latency is publish to receive,`,
      'HDR histogram over every delivery. Each server in its own process, its clients in a fresh process of their own.',
      '',
      table,
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
