/**
 * `pnpm scenario fan-out [--clients 1000] [--seconds 15] [--rates 10,100] [--modes ws,floor,socketio,twohop,twohop-ws] [--pin] [--smoke] [--write]`
 *
 * `clients` subscribers on one stream; the server publishes `rate` changes/s, each carrying its publish time, and
 * every client records publish-to-receive latency in an HDR histogram. Five servers in one run, each in its own
 * process: raw `ws` broadcast (the baseline), the floor (one prebuilt frame written to each TCP socket), plain
 * socket.io `io.emit`, twohop over socket.io and twohop over plain WebSocket (a subscription per client with its
 * backpressure-aware sender, clients keeping a Replica each). Also reports the server's RSS per idle connection, the
 * server's CPU time per delivery, and the share of the machine's cores the server and the load generator (the
 * clients' process) each used while recording. `--pin` puts each server on core 0 and its clients on core 1 (`taskset`). For each server the clients run in a fresh process of their own (servers/fanOutClients.ts), doing
 * the same work per frame (a JSON.parse; twohop's also apply it to a Replica), so no mode inherits another's heap.
 *
 * Invariants (non-zero exit when one fails): after publishing stops, every client of every server holds the
 * server's exact state, having received every change once (raw modes: one frame per change; twohop: its replica at
 * the last seq), and no twohop replica resynced. Latency and memory are reported, never asserted.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuOf, loadAverage, pinToCore, reply, sleep } from './servers/ipc.js';
import type { LatencySummary } from '@twohop/metrics';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { machine, writeBenchmarkSection, writeScenarioReport, type Invariant } from '@twohop/testkit/node';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '15' },
    rates: { type: 'string', default: '10,100' },
    modes: { type: 'string', default: 'ws,floor,socketio,twohop,twohop-ws' },
    /** How long each rate runs unrecorded first, in seconds. */
    'warm-up': { type: 'string', default: '2' },
    /** Each server on core 0, its clients on core 1. */
    pin: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    /** A small, quick run (the test suite's): 40 clients of every mode, 1 s at 100 changes/s after 0.5 s. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke) Object.assign(values, { clients: '40', seconds: '1', rates: '100', 'warm-up': '0.5' });
const clientCount = Number(values.clients);
const seconds = Number(values.seconds);
const rates = values.rates.split(',').map(Number);
type Mode = 'ws' | 'floor' | 'socketio' | 'twohop' | 'twohop-ws';
const modes = values.modes.split(',') as Mode[];
const cores = availableParallelism();

/** What one mode cost at one rate while recording. */
interface Cost {
  /** Server CPU time per delivery, µs. */
  cpuPerDelivery: number;
  /** Share of all cores the server used, %. */
  serverShare: number;
  /** Share of all cores the load generator (the clients' process) used, %. */
  clientShare: number;
}

interface Result {
  mode: Mode;
  kbPerConnection: number;
  heapKbPerConnection: number;
  latency: Map<number, LatencySummary>;
  /** Per rate: latency by percentile, and changes received per second over every client. */
  charts: Map<number, { distribution: Array<[number, number]>; perSecond: Array<[number, number]> }>;
  cost: Map<number, Cost>;
  invariants: Invariant[];
}

interface Check {
  clients: number;
  converged: number;
  resyncs: number;
  conflated: number;
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
  let check: Check = { clients: 0, converged: 0, resyncs: 0, conflated: 0 };
  for (let attempt = 0; attempt < 20; attempt++) {
    check = (await reply<{ check: Check }>(clients, 'check', { cmd: 'check', ...truth })).check;
    if (check.converged === check.clients) break;
    await sleep(500);
  }
  return check;
}

/** The settling pauses around a measurement (memory, the end of a rate): a fifth as long on a smoke run. */
const settle = (ms: number) => sleep(values.smoke ? ms / 5 : ms);

async function run(mode: Mode): Promise<Result> {
  const script = fileURLToPath(new URL('./servers/fanOutServer.ts', import.meta.url));
  const child = fork(script, ['--mode', mode], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: 'inherit',
  });
  const port = (await reply<{ port: number }>(child, 'port')).port;
  const url = `http://127.0.0.1:${port}`;
  await settle(500);
  const before = await reply<{ rss: number; heap: number }>(child, 'rss', { cmd: 'rss' });
  const clientScript = fileURLToPath(new URL('./servers/fanOutClients.ts', import.meta.url));
  const clients = fork(clientScript, ['--mode', mode, '--url', url, '--clients', String(clientCount)], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  if (values.pin) [child, clients].forEach((forked, core) => pinToCore(forked, core));
  await reply(clients, 'connected');
  await settle(1000);
  const idle = await reply<{ rss: number; heap: number }>(child, 'rss', { cmd: 'rss' });
  const kbPerConnection = (idle.rss - before.rss) / 1024 / clientCount;
  // RSS moves in steps as V8 grows its spaces; the used heap is what the connections themselves hold.
  const heapKbPerConnection = (idle.heap - before.heap) / 1024 / clientCount;

  const byRate = new Map<number, LatencySummary>();
  const charts: Result['charts'] = new Map();
  const cost = new Map<number, Cost>();
  for (const rate of rates) {
    child.send({ cmd: 'publish', rate });
    await sleep(Number(values['warm-up']) * 1000); // not recorded
    clients.send({ cmd: 'record' });
    const started = { at: performance.now(), server: await cpuOf(child), clients: await cpuOf(clients) };
    await sleep(seconds * 1000);
    const ended = { at: performance.now(), server: await cpuOf(child), clients: await cpuOf(clients) };
    const { summary, distribution, perSecond } = await reply<{
      summary: LatencySummary;
      distribution: Array<[number, number]>;
      perSecond: Array<[number, number]>;
    }>(clients, 'summary', { cmd: 'summary' });
    byRate.set(rate, summary);
    charts.set(rate, { distribution, perSecond });
    const wallUs = (ended.at - started.at) * 1000 * cores;
    cost.set(rate, {
      cpuPerDelivery: (ended.server - started.server) / Math.max(1, summary.count),
      serverShare: (100 * (ended.server - started.server)) / wallUs,
      clientShare: (100 * (ended.clients - started.clients)) / wallUs,
    });
    child.send({ cmd: 'stop' });
    await settle(1000);
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
    ...(mode === 'twohop' || mode === 'twohop-ws'
      ? [
          {
            name: `${mode}: no replica resynced (no gap)`,
            ok: check.resyncs === 0,
            detail: `${check.resyncs} resyncs (${check.conflated} conflated deltas: changes merged while a socket was full)`,
          },
        ]
      : []),
  ];
  const line = [...byRate].map(([rate, s]) => {
    const c = cost.get(rate) as Cost;
    return `${rate}/s: p50 ${s.p50.toFixed(1)} p99 ${s.p99.toFixed(1)} max ${s.max.toFixed(1)} ms (${s.count} deliveries; server ${c.cpuPerDelivery.toFixed(2)} µs CPU each, ${c.serverShare.toFixed(0)}% of ${cores} cores; clients ${c.clientShare.toFixed(0)}%)`;
  });
  console.log(
    `${mode}: ${kbPerConnection.toFixed(1)} KB RSS (${heapKbPerConnection.toFixed(1)} KB heap) per idle connection | ${line.join(' | ')}`,
  );
  return { mode, kbPerConnection, heapKbPerConnection, latency: byRate, charts, cost, invariants };
}

console.log(
  `fan-out: ${clientCount} clients, rates ${rates.join(', ')} changes/s, ${seconds} s each; ${machine()}`,
);
const load = [loadAverage()];
const results: Result[] = [];
for (const mode of modes) results.push(await run(mode));
load.push(loadAverage());
console.log(`load average ${load.join(' → ')}`);

const names: Record<Mode, string> = {
  ws: 'raw `ws` broadcast (baseline)',
  floor: 'floor: one prebuilt frame, one `write` per client',
  socketio: 'plain socket.io `io.emit`',
  twohop: 'twohop over socket.io',
  'twohop-ws': 'twohop over plain WebSocket',
};
const baseline = results[0] as Result;
const rows = results.map((r) => {
  const cells = rates.map((rate) => {
    const s = r.latency.get(rate) as LatencySummary;
    const base = baseline.latency.get(rate) as LatencySummary;
    return `${s.p50.toFixed(1)} / ${s.p99.toFixed(1)} ms (${(s.p99 / base.p99).toFixed(2)}×)`;
  });
  return `| ${names[r.mode]} | ${cells.join(' | ')} | ${r.kbPerConnection.toFixed(1)} KB (${(r.kbPerConnection / baseline.kbPerConnection).toFixed(2)}×) | ${r.heapKbPerConnection.toFixed(1)} KB (${(r.heapKbPerConnection / baseline.heapKbPerConnection).toFixed(2)}×) |`;
});
const table = [
  `| server | ${rates.map((rate) => `${rate} changes/s: p50 / p99 (p99 vs ws)`).join(' | ')} | server RSS per idle connection (vs ws) | server heap per idle connection (vs ws) |`,
  `|---|${rates.map(() => '---:').join('|')}|---:|---:|`,
  ...rows,
].join('\n');
const costRows = results.map((r) => {
  const cells = rates.map((rate) => {
    const c = r.cost.get(rate) as Cost;
    const base = baseline.cost.get(rate) as Cost;
    return `${c.cpuPerDelivery.toFixed(2)} µs (${(c.cpuPerDelivery / base.cpuPerDelivery).toFixed(2)}×) · ${c.serverShare.toFixed(0)}% / ${c.clientShare.toFixed(0)}%`;
  });
  return `| ${names[r.mode]} | ${cells.join(' | ')} |`;
});
const costTable = [
  `| server | ${rates.map((rate) => `${rate} changes/s: server CPU per delivery (vs ws) · server / load generator share of ${cores} cores`).join(' | ')} |`,
  `|---|${rates.map(() => '---:').join('|')}|`,
  ...costRows,
].join('\n');
console.log(table);
console.log(costTable);
const ok = writeScenarioReport({
  scenario: 'fan-out',
  params: { clients: clientCount, seconds, rates: values.rates, smoke: values.smoke },
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
  latency: Object.fromEntries(
    results.flatMap((r) =>
      rates.map((rate) => [`${r.mode} ${rate}/s`, r.charts.get(rate)?.distribution ?? []]),
    ),
  ),
  overTime: rates.map((rate) => ({
    title: `Changes received per second over every client, at ${rate} changes/s`,
    unit: 'changes/s',
    series: Object.fromEntries(results.map((r) => [r.mode, r.charts.get(rate)?.perSecond ?? []])),
  })),
});
if (values.write) {
  writeBenchmarkSection(
    'fan-out',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario fan-out --modes ${values.modes}${values.pin ? ' --pin' : ''} --write\` on: ${machine()}; load average ${load.join(' → ')} (start → end) besides this run.`,
      '',
      `${clientCount} subscribers on one stream, ${seconds} s per rate after a ${values['warm-up']} s warm-up; latency is publish to receive,`,
      'HDR histogram over every delivery. Each server in its own process, its clients in a fresh process of their own.',
      '',
      table,
      '',
      costTable,
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
