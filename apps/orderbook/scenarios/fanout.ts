/**
 * `pnpm scenario orderbook:fanout [--clients 500] [--tiers retail] [--transports socket.io] [--rate 1000] [--duration 15] [--seed S] [--smoke] [--write]`
 *
 * The order book app in its own process, the engine at `rate` book changes/s per symbol, and `clients` clients on
 * BTC-USD spread over `tiers` and `transports` (`socket.io`, `ws` for plain WebSocket at /ws), in a fresh process,
 * each keeping a verified replica. Reports per tier (and transport): deliveries/s, bytes/s, engine-to-client latency
 * (each delta's server timestamp to its arrival; a conflated delta carries its newest change's time) and resyncs, and
 * the share of the machine's cores the server and the load generator (the clients' process) used while recording.
 * Invariant: no client ever resyncs (every checksum matches).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuOf, reply, sleep } from '@twohop/scenarios';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { LatencySummary } from '@twohop/metrics';
import { machine, writeBenchmarkSection, writeScenarioReport } from '@twohop/testkit/node';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '500' },
    tiers: { type: 'string', default: 'retail' },
    transports: { type: 'string', default: 'socket.io' },
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '15' },
    /** Seeds the app's simulated order flow. */
    seed: { type: 'string', default: '11' },
    write: { type: 'boolean', default: false },
    /** A small, quick run (the test suite's): 30 clients over every tier on both transports for 3 s, no timing invariant. */
    smoke: { type: 'boolean', default: false },
  },
});
if (values.smoke)
  Object.assign(values, {
    clients: '30',
    tiers: 'pro,retail,mobile',
    transports: 'socket.io,ws',
    duration: '3',
  });
const seconds = Number(values.duration);

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
console.log(
  `orderbook fan-out: ${values.clients} clients on ${values.tiers} over ${values.transports}, engine at ${values.rate} changes/s per symbol (seed ${values.seed}); ${machine()}`,
);
const server = fork(here('./processes/server.ts'), ['--rate', values.rate, '--seed', values.seed], {
  execArgv: ['--import', 'tsx'],
  stdio: 'inherit',
});
const port = (await reply<{ port: number }>(server, 'port')).port;
const clients = fork(
  here('./processes/clients.ts'),
  [
    ...['--url', `http://127.0.0.1:${port}`, '--clients', values.clients],
    ...['--tiers', values.tiers, '--transports', values.transports],
  ],
  { execArgv: ['--import', 'tsx'], stdio: 'inherit' },
);
await reply(clients, 'connected');
console.log('connected; warming up 3 s …');
await sleep(3000);
clients.send({ cmd: 'record' });
const started = { at: performance.now(), server: await cpuOf(server), clients: await cpuOf(clients) };
for (let s = 0; s < seconds; s += 5) {
  await sleep(Math.min(5, seconds - s) * 1000);
  console.log(`… ${Math.min(seconds, s + 5)} / ${seconds} s`);
}
const ended = { at: performance.now(), server: await cpuOf(server), clients: await cpuOf(clients) };
// What each process used of the machine while recording: the load generator shares the cores with the server.
const coreUs = (ended.at - started.at) * 1000 * availableParallelism();
const share = (key: 'server' | 'clients') => ((100 * (ended[key] - started[key])) / coreUs).toFixed(0);
const cpuLine = `server ${share('server')}% and load generator ${share('clients')}% of ${availableParallelism()} cores while recording`;
console.log(cpuLine);
type TierSummary = {
  clients: number;
  deliveries: number;
  bytes: number;
  resyncs: number;
  latency: LatencySummary;
  distribution: Array<[number, number]>;
  perSecond: number[];
};
const summary = (
  await reply<{ summary: Record<string, TierSummary> }>(clients, 'summary', { cmd: 'summary' })
).summary;
clients.send({ cmd: 'exit' });
server.kill('SIGTERM');

const rows = Object.entries(summary).map(
  ([tier, s]) =>
    `| ${tier} | ${s.clients} | ${Math.round(s.deliveries / seconds).toLocaleString('en')} | ${(s.bytes / seconds / 1024).toFixed(0)} KB/s | ${s.latency.p50.toFixed(1)} / ${s.latency.p99.toFixed(1)} / ${s.latency.max.toFixed(1)} ms | ${s.resyncs} |`,
);
const table = [
  '| tier | clients | deliveries/s (all clients) | bytes/s | engine → client p50 / p99 / max | resyncs |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows,
].join('\n');
console.log(table);
const resyncs = Object.values(summary).reduce((n, s) => n + s.resyncs, 0);
const delivered = Object.values(summary).reduce((n, s) => n + s.deliveries, 0);
const retail = Object.entries(summary).filter(([group]) => group.startsWith('retail'));
const ok = writeScenarioReport({
  scenario: 'orderbook-fanout',
  params: {
    clients: values.clients,
    tiers: values.tiers,
    transports: values.transports,
    rate: values.rate,
    duration: seconds,
    seed: values.seed,
    smoke: values.smoke,
  },
  table: {
    headers: ['tier', 'clients', 'deliveries/s', 'bytes/s', 'p50 ms', 'p99 ms', 'max ms', 'resyncs'],
    rows: Object.entries(summary).map(([tier, s]) => [
      tier,
      s.clients,
      Math.round(s.deliveries / seconds),
      Math.round(s.bytes / seconds),
      Number(s.latency.p50.toFixed(1)),
      Number(s.latency.p99.toFixed(1)),
      Number(s.latency.max.toFixed(1)),
      s.resyncs,
    ]),
  },
  invariants: [
    { name: 'every client received deltas', ok: delivered > 0, detail: `${delivered} deliveries` },
    { name: 'no client resynced (every checksum matched)', ok: resyncs === 0, detail: `${resyncs} resyncs` },
    ...(values.smoke
      ? []
      : retail.map(([group, s]) => ({
          name: `${group} engine-to-client p99 under 50 ms`,
          ok: s.latency.p99 < 50,
          detail: `p99 ${s.latency.p99} ms`,
        }))),
  ],
  latency: Object.fromEntries(Object.entries(summary).map(([tier, s]) => [tier, s.distribution])),
  overTime: [
    {
      title: 'Deliveries per second, by tier',
      unit: 'deliveries/s',
      series: Object.fromEntries(
        Object.entries(summary).map(([tier, s]) => [
          tier,
          s.perSecond.map((n, i) => [i + 1, n] as [number, number]),
        ]),
      ),
    },
  ],
});
if (values.write) {
  writeBenchmarkSection(
    'orderbook-fanout',
    [
      `Measured ${new Date().toISOString().slice(0, 10)} by \`pnpm scenario orderbook:fanout --clients ${values.clients} --tiers ${values.tiers} --transports ${values.transports} --write\` on: ${machine()}.`,
      '',
      `${values.clients} clients on BTC-USD (${values.tiers}), the engine at ${values.rate} book changes/s per symbol on three symbols,`,
      `${seconds} s after a 3 s warm-up. The app runs in its own process; the clients in another, each keeping a replica`,
      'with checksums verified. Latency is from the server timestamp of the newest change in a delta to its arrival.',
      '',
      table,
      '',
      `CPU: ${cpuLine}.`,
    ].join('\n'),
  );
}
process.exit(ok ? 0 : 1);
